/**
 * pulumi-clore: rent and run Clore.ai GPU servers as code.
 *
 * - Pulumi resources: CloreOrder, CloreServerSettings, getMarketplace / getMarketplaceOutput
 * - The SDK core under `sdk` (CloreClient, models, errors, rate limiter)
 */
export * from "./resources";
export * as sdk from "./sdk";
export { CloreClient } from "./sdk";
