import { z } from "zod";
import { Pricing } from "./common";

/** Proof-of-Holding balance (units and enum meanings are undocumented). */
export const PohBalanceResponse = z.looseObject({
  code: z.number().int(),
  items: z.array(z.looseObject({ status: z.string().nullish(), balance: z.number().nullish() })).default([]),
  balance: z.looseObject({ total: z.number().nullish(), free_amount: z.number().nullish() }).nullish(),
  count: z.number().nullish(),
});
export type PohBalance = z.output<typeof PohBalanceResponse>;

/** Renter fees (percent added to the host price, per currency) and creation fees. */
export const RenterFeesResponse = z.looseObject({
  code: z.number().int(),
  renter_fees: z.looseObject({
    on_demand: z.looseObject({ base: Pricing }).nullish(),
    spot: z.looseObject({ base: Pricing }).nullish(),
  }),
  poh_config: z
    .looseObject({ max_reduction_percent: z.number().nullish(), max_poh_amount: z.number().nullish() })
    .nullish(),
  creation_fees: z.looseObject({ on_demand: Pricing.nullish(), spot: Pricing.nullish() }).nullish(),
  poh_balance: z.number().nullish(),
});
export type RenterFees = z.output<typeof RenterFeesResponse>;
