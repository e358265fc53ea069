import { z } from "zod";
import { Pricing, Specs, parseGpuSpec } from "./common";

/** Per currency: "usd" (follow usd_pricing) or false; other strings/booleans are accepted as sent. */
export const AutoPrice = z.record(z.string(), z.union([z.string(), z.boolean()]));
export const UsdPricing = z.record(
  z.string(),
  z.looseObject({ on_demand: z.number().nullish(), spot: z.number().nullish() }),
);

const ServerConfigWire = z.looseObject({
  id: z.number().int().nullish(),
  name: z.string().nullish(),
  connected: z.boolean().nullish(),
  visibility: z.string().nullish(),
  pricing: Pricing.nullish(),
  spot_pricing: Pricing.nullish(),
  /** Maximum rental length, hours. */
  mrl: z.number().nullish(),
  online: z.boolean().nullish(),
  initialized: z.boolean().nullish(),
  rental_status: z.number().nullish(),
  specs: Specs.nullish(),
  background_job: z.looseObject({ image: z.string().nullish(), command: z.string().nullish() }).nullish(),
  allowed_coins: z.array(z.string()).nullish(),
  autoprice: AutoPrice.nullish(),
  usd_pricing: UsdPricing.nullish(),
});

/** A hosted server's configuration, with the official Python SDK's `gpuModel`, `onDemandPrice` and `spotPrice` (first USD price set). */
export const ServerConfig = ServerConfigWire.transform((c) => {
  const usd = Object.values(c.usd_pricing ?? {});
  return {
    ...c,
    gpuModel: parseGpuSpec(c.specs?.gpu).model,
    // Listed unless hidden: the one reading of `visibility` (set_server_settings and the provider use it too).
    availability: c.visibility === undefined || c.visibility === null ? undefined : c.visibility !== "hidden",
    onDemandPrice: usd.find((p) => typeof p.on_demand === "number")?.on_demand ?? undefined,
    spotPrice: usd.find((p) => typeof p.spot === "number")?.spot ?? undefined,
  };
});
export type ServerConfig = z.output<typeof ServerConfig>;

export const ServerConfigResponse = z.looseObject({
  code: z.number().int(),
  config: ServerConfig,
  creation_completed: z.boolean().nullish(),
});
