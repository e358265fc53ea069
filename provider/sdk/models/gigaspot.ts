import { z } from "zod";
import { Currency, Pricing } from "./common";

export const GetGigaspotResponse = z.looseObject({
  code: z.number().int(),
  my_user_id: z.number().nullish(),
  /** The market itself is a JSON file at this URL (no auth). */
  v1_snapshot_url: z.string().nullish(),
  creation_fees: Pricing.nullish(),
});
export type Gigaspot = z.output<typeof GetGigaspotResponse>;

const Overclock = z.strictObject({
  pl: z.number(),
  core_lock: z.number().optional(),
  mem_lock: z.number().optional(),
  mem_offset: z.number().optional(),
  core_offset: z.number().optional(),
});

export const GigaspotOrderRequest = z.strictObject({
  currency: Currency,
  image: z.string().min(1),
  renting_server: z.number().int().positive(),
  price: z.number().positive(),
  oc: z.array(Overclock).min(1),
  env: z.record(z.string(), z.string()).optional(),
});
export type GigaspotOrderRequest = z.input<typeof GigaspotOrderRequest>;

export const CreateGigaspotOrdersResponse = z.looseObject({
  code: z.number().int(),
  status: z.string().nullish(),
  failed_to_oc_servers: z.array(z.number()).default([]),
  failed_to_rent_servers: z.array(z.number()).default([]),
  too_low_bids_servers: z.array(z.number()).default([]),
});

export const GigaspotEditRequest = z.strictObject({
  order_id: z.number().int().positive(),
  price: z.number().positive(),
  oc: z.array(Overclock).optional(),
});
export type GigaspotEditRequest = z.input<typeof GigaspotEditRequest>;

export const EditGigaspotOrdersResponse = z.looseObject({
  code: z.number().int(),
  success_to_update_ids: z.array(z.number()).default([]),
  failed_to_update_ids: z.array(z.number()).default([]),
  too_low_bid_ids: z.array(z.number()).default([]),
});

export const CancelOrdersResponse = z.looseObject({
  code: z.number().int(),
  failed_to_cancel: z.array(z.union([z.string(), z.number()])).default([]),
});
