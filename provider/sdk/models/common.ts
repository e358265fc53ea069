import { z } from "zod";

/**
 * Response models are loose (`z.looseObject`): the API adds fields over time and we keep
 * whatever it sends. Most fields are optional because older servers and orders lack them.
 */

export const CURRENCIES = ["bitcoin", "CLORE-Blockchain", "USD-Blockchain"] as const;
export const Currency = z.enum(CURRENCIES);
export type Currency = z.infer<typeof Currency>;

export const ORDER_TYPES = ["on-demand", "spot"] as const;
export const OrderType = z.enum(ORDER_TYPES);
export type OrderType = z.infer<typeof OrderType>;

/** Price per day keyed by currency. Keys are open-ended (old servers send `usd`). */
export const Pricing = z.record(z.string(), z.number().nullable());
export type Pricing = z.infer<typeof Pricing>;

export const Rating = z.looseObject({ avg: z.number().nullish(), cnt: z.number().nullish() });

export const NetworkSpecs = z.looseObject({
  cc: z.string().nullish(),
  down: z.number().nullish(),
  up: z.number().nullish(),
  test_history: z.array(z.unknown()).nullish(),
});

export const Specs = z.looseObject({
  mb: z.string().nullish(),
  cpu: z.string().nullish(),
  cpus: z.string().nullish(),
  ram: z.number().nullish(),
  gpu: z.string().nullish(),
  gpuram: z.number().nullish(),
  disk: z.string().nullish(),
  disk_speed: z.number().nullish(),
  net: NetworkSpecs.nullish(),
  backend_version: z.number().nullish(),
  pcie_rev: z.number().nullish(),
  pcie_width: z.number().nullish(),
  pl: z.array(z.number()).nullish(),
  stock_pl: z.array(z.number()).nullish(),
  stock_oc: z.unknown().optional(),
  gpus: z.array(z.looseObject({ type: z.string().nullish(), mem: z.number().nullish() })).nullish(),
});
export type Specs = z.infer<typeof Specs>;

/** Every response carries an integer `code`; 0 is success. */
export const Ack = z.looseObject({ code: z.number().int(), error: z.string().nullish() });
export type Ack = z.infer<typeof Ack>;

/** `"2x NVIDIA GeForce RTX 3090"` → `{ count: 2, model: "NVIDIA GeForce RTX 3090" }`. */
export function parseGpuSpec(spec: string | null | undefined): { count?: number; model?: string } {
  if (!spec) return {};
  const m = /^\s*(\d+)\s*x\s+(.+?)\s*$/i.exec(spec);
  return m ? { count: Number(m[1]), model: m[2] } : { model: spec.trim() };
}

/** gpu_array is a list of model strings; some clients saw a comma string or nested lists. */
export const GpuArray = z
  .union([z.array(z.unknown()), z.string()])
  .transform((v): string[] =>
    (Array.isArray(v) ? v.flat(2) : v.split(",")).map((x) => String(x).trim()).filter(Boolean),
  );

export const HOURS_PER_DAY = 24;
