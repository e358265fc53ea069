export { CloreOrder, type CloreOrderArgs } from "./order/order";
export { OrderInputs, REPLACE_ON, UPDATE_IN_PLACE, type OrderOutputs } from "./order/schema";
export { diffOrder } from "./order/diff";
export { CloreServerSettings, type CloreServerSettingsArgs } from "./server-settings/server-settings";
export { ServerSettingsInputs, ON_DELETE } from "./server-settings/schema";
export { getMarketplace, getMarketplaceOutput } from "./marketplace/get-marketplace";
export { MarketplaceArgs, type MarketplaceOffer, type MarketplaceResult, selectOffers } from "./marketplace/filters";
export { CloreBudget, type CloreBudgetArgs } from "./budget/budget";
