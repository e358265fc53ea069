export { CloreOrder, type CloreOrderArgs } from "./order/order";
export { CloreServerSettings, type CloreServerSettingsArgs } from "./server-settings/server-settings";
export { getMarketplace, getMarketplaceOutput } from "./marketplace/get-marketplace";
export { CloreBudget, type CloreBudgetArgs } from "./budget/budget";
export * from "./generated/types";
/** The types getMarketplace returns, by their earlier names. */
export type { GetMarketplaceResult as MarketplaceResult } from "./generated/types";
export type MarketplaceOffer = import("./generated/types").GetMarketplaceResult["servers"][number];
