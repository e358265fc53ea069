import { z } from "zod";
import { CURRENCIES, Currency } from "./models/common";
import type { SetServerSettingsBody } from "./models/requests";

/** A price per day, and prices per day by currency: shared with CloreServerSettings' inputs. */
export const pricePerDay = z.number().nonnegative().finite();
export const pricesPerCurrency = z.partialRecord(Currency, pricePerDay);
/** Per currency: "usd" to follow usdPricing, false for a fixed price. */
export const autopriceSetting = z.partialRecord(Currency, z.union([z.literal("usd"), z.literal(false)]));
/** USD per day the host asks, per currency. */
export const usdPricingSetting = z.partialRecord(
  Currency,
  z.strictObject({
    onDemand: pricePerDay.meta({ description: "USD per day, on demand." }),
    spot: pricePerDay.meta({ description: "USD per day, spot minimum." }),
  }),
);
/** The API's maximum rental length when a server reports none, hours. */
export const DEFAULT_MRL_HOURS = 72;

/**
 * setServerSettings' parameters. `onDemand`/`spot` are the official Python SDK's (legacy layout, bitcoin
 * per day); `onDemandPrices`/`spotPrices` per currency use the current layout.
 */
export const ServerSettingsParams = z.strictObject({
  name: z.string().min(1).max(128).meta({ description: "Name of a server you host, as in `clore servers`." }),
  availability: z.boolean().optional().meta({ description: "Listed on the marketplace (true) or hidden (false)." }),
  mrl: z
    .number()
    .int()
    .positive()
    .max(24 * 365)
    .optional()
    .meta({ description: "Maximum rental length in hours." }),
  onDemand: pricePerDay.optional().meta({ description: "On-demand price in bitcoin per day (legacy layout)." }),
  spot: pricePerDay.optional().meta({ description: "Minimum spot price in bitcoin per day (legacy layout)." }),
  onDemandPrices: pricesPerCurrency
    .optional()
    .meta({ description: `On-demand price per day, by currency (${CURRENCIES.join(", ")}).` }),
  spotPrices: pricesPerCurrency.optional().meta({ description: "Minimum spot price per day, by currency." }),
  enabledCurrencies: z.array(Currency).min(1).optional().meta({ description: "Currencies renters may pay in." }),
  autoprice: autopriceSetting.optional().meta({
    description: 'Per currency: "usd" to follow usdPricing (price set in USD), false for a fixed price.',
  }),
  usdPricing: usdPricingSetting
    .optional()
    .meta({ description: 'USD per day the host asks, used where autoprice is "usd".' }),
});
export type ServerSettingsParams = z.input<typeof ServerSettingsParams>;
export type ServerSettings = z.output<typeof ServerSettingsParams> & { availability: boolean; mrl: number };

/** Parameters → set_server_settings body, in the legacy layout when the official Python SDK's fields are used. */
export function serverSettingsBody(p: ServerSettings): SetServerSettingsBody {
  const body: Record<string, unknown> = { name: p.name, availability: p.availability, mrl: p.mrl };
  if (p.onDemand !== undefined) body.on_demand = p.onDemand;
  if (p.spot !== undefined) body.spot = p.spot;
  for (const c of CURRENCIES) {
    if (p.onDemandPrices?.[c] !== undefined) body[`${c}_on_demand`] = p.onDemandPrices[c];
    if (p.spotPrices?.[c] !== undefined) body[`${c}_spot`] = p.spotPrices[c];
    if (p.enabledCurrencies) body[`enabled-${c}`] = p.enabledCurrencies.includes(c);
  }
  if (p.autoprice) body.autoprice = p.autoprice;
  if (p.usdPricing) {
    body.usd_pricing = Object.fromEntries(
      Object.entries(p.usdPricing).map(([c, v]) => [c, { on_demand: v!.onDemand, spot: v!.spot }]),
    );
  }
  return body as SetServerSettingsBody;
}
