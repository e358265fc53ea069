import * as account from "./handlers/account";
import * as gigaspot from "./handlers/gigaspot";
import * as hosting from "./handlers/hosting";
import * as market from "./handlers/market";
import * as orders from "./handlers/orders";
import type { HandlerTable } from "./wire";

/** One handler per row of the SDK's ENDPOINTS table; the type makes a missing one a compile error. */
export const HANDLERS: HandlerTable = {
  wallets: account.wallets,
  poh_balance: account.pohBalance,
  renter_fees: account.renterFees,
  marketplace: market.marketplace,
  spot_marketplace: market.spotMarketplace,
  set_spot_price: market.setSpotPrice,
  my_servers: hosting.myServers,
  server_config: hosting.serverConfig,
  set_server_settings: hosting.setServerSettings,
  my_orders: orders.myOrders,
  create_order: orders.createOrder,
  cancel_order: orders.cancelOrder,
  cancel_orders: orders.cancelOrders,
  get_gigaspot: gigaspot.getGigaspot,
  create_gigaspot_orders: gigaspot.createGigaspotOrders,
  edit_gigaspot_orders: gigaspot.editGigaspotOrders,
};
