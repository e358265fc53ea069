import { z } from "zod";
import { CURRENCIES, Currency } from "./models/common";
import type { SetServerSettingsBody } from "./models/requests";

const perDay = z.number().nonnegative().finite();
const perCurrency = z.partialRecord(Currency, perDay);

/**
 * setServerSettings' parameters. `onDemand`/`spot` are the seed's (legacy layout, bitcoin
 * per day); `onDemandPrices`/`spotPrices` per currency use the current layout.
 */
export const ServerSettingsParams = z.strictObject({
  name: z.string().min(1).meta({ description: "Server name, as in `clore servers`." }),
  availability: z.boolean().optional().meta({ description: "Listed on the marketplace (true) or not." }),
  mrl: z.number().int().positive().max(24 * 365).optional().meta({ description: "Maximum rental length, hours." }),
  onDemand: perDay.optional(),
  spot: perDay.optional(),
  onDemandPrices: perCurrency.optional(),
  spotPrices: perCurrency.optional(),
  enabledCurrencies: z.array(Currency).optional(),
  autoprice: z.partialRecord(Currency, z.union([z.literal("usd"), z.literal(false)])).optional(),
  usdPricing: z.partialRecord(Currency, z.strictObject({ onDemand: perDay, spot: perDay })).optional(),
});
export type ServerSettingsParams = z.input<typeof ServerSettingsParams>;
export type ServerSettings = z.output<typeof ServerSettingsParams> & { availability: boolean; mrl: number };

/** Parameters → set_server_settings body, in the legacy layout when the seed's fields are used. */
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
    body.usd_pricing = Object.fromEntries(Object.entries(p.usdPricing).map(([c, v]) => [c, { on_demand: v!.onDemand, spot: v!.spot }]));
  }
  return body as SetServerSettingsBody;
}
