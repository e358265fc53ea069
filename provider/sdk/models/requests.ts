import { z } from "zod";
import { LIMITS } from "../fields";
import { GigaspotEditRequest, GigaspotOrderRequest } from "./gigaspot";

/**
 * Wire request bodies, as the API takes them (snake_case). The SDK builds these from its
 * camelCase parameters; the emulator checks incoming requests with the same schemas.
 * create_order's body is derived from its field declaration (order-fields.ts).
 */

export const CancelOrderBody = z.looseObject({ id: z.number().int().positive(), issue: z.string().optional() });
export const CancelOrdersBody = z.looseObject({
  order_ids: z.array(z.number().int().positive()).min(1).max(LIMITS.cancelBatch),
});
export const SetSpotPriceBody = z.looseObject({
  order_id: z.number().int().positive(),
  desired_price: z.number().positive(),
});
export const ServerConfigBody = z.looseObject({ server_name: z.string().min(1) });

const perDay = z.number().nonnegative();
/**
 * set_server_settings takes two layouts (docs/api-notes.md §6.7): the current one with
 * `<Currency>_on_demand`, `<Currency>_spot`, `enabled-<Currency>`, `autoprice`, `usd_pricing`,
 * and the legacy one with `on_demand` / `spot` (bitcoin per day).
 */
export const SetServerSettingsBody = z.looseObject({
  name: z.string().min(1),
  availability: z.boolean(),
  mrl: z.number().int().positive(),
  on_demand: perDay.optional(),
  spot: perDay.optional(),
  bitcoin_on_demand: perDay.optional(),
  bitcoin_spot: perDay.optional(),
  "CLORE-Blockchain_on_demand": perDay.optional(),
  "CLORE-Blockchain_spot": perDay.optional(),
  "USD-Blockchain_on_demand": perDay.optional(),
  "USD-Blockchain_spot": perDay.optional(),
  "enabled-bitcoin": z.boolean().optional(),
  "enabled-CLORE-Blockchain": z.boolean().optional(),
  "enabled-USD-Blockchain": z.boolean().optional(),
  autoprice: z.record(z.string(), z.union([z.literal("usd"), z.literal(false)])).optional(),
  usd_pricing: z.record(z.string(), z.looseObject({ on_demand: perDay, spot: perDay })).optional(),
});
export type SetServerSettingsBody = z.input<typeof SetServerSettingsBody>;

export const CreateGigaspotOrdersBody = z.array(GigaspotOrderRequest).min(1);
export const EditGigaspotOrdersBody = z.array(GigaspotEditRequest).min(1);

/** Query strings: literal "true"/"false" as clients send them. */
export const MyOrdersQuery = z.looseObject({ return_completed: z.enum(["true", "false"]).optional() });
export const SpotMarketplaceQuery = z.looseObject({ market: z.string().regex(/^\d+$/) });
