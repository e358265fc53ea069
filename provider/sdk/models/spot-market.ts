import { z } from "zod";
import { Pricing } from "./common";

export const SpotOffer = z
  .looseObject({
    offer_id: z.number().int(),
    /** Bid per day in `currency`. */
    bid: z.number(),
    active: z.boolean().nullish(),
    my: z.boolean().nullish(),
    currency: z.string().nullish(),
  })
  // The official Python SDK names these order_id / price; offer_id is believed to equal the order id.
  .transform((o) => ({ ...o, orderId: o.offer_id, price: o.bid }));
export type SpotOffer = z.output<typeof SpotOffer>;

export const SpotMarket = z.looseObject({
  offers: z.array(SpotOffer).default([]),
  server: z
    .looseObject({
      min_pricing: Pricing.nullish(),
      mrl: z.number().nullish(),
      online: z.boolean().nullish(),
      visibility: z.string().nullish(),
    })
    .nullish(),
  currency_rates_in_usd: Pricing.nullish(),
});
export type SpotMarket = z.output<typeof SpotMarket> & { exists: boolean };

export const SpotMarketplaceResponse = z.looseObject({
  code: z.number().int(),
  market: SpotMarket.nullish(),
  exists: z.boolean().nullish(),
});
