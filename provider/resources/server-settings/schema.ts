import { z } from "zod";
import {
  CURRENCIES,
  Currency,
  DEFAULT_MRL_HOURS,
  type ServerConfig,
  ServerSettingsParams,
  autopriceSetting,
  pricesPerCurrency,
  usdPricingSetting,
} from "../../sdk";

export const ON_DELETE = ["restore", "keep", "unlist"] as const;

const { onDemand: _o, spot: _s, ...settings } = ServerSettingsParams.shape;
const LEAVE = " Default: leave as is.";
const described = <S extends z.ZodType>(schema: S, text: string) => schema.meta({ description: text }) as S;

/**
 * CloreServerSettings' inputs: setServerSettings' fields (current layout; the SDK declares them)
 * and what destroy does. Types, check, docs and the plugin schema are derived from here.
 */
export const ServerSettingsInputs = z.strictObject({
  ...settings,
  name: described(
    settings.name,
    "Name of a server you host, as in `clore servers`. Changing it manages another server (replace).",
  ),
  availability: described(settings.availability, `Listed on the marketplace (true) or hidden (false).${LEAVE}`),
  mrl: described(settings.mrl, `Maximum rental length in hours.${LEAVE}`),
  onDelete: z.enum(ON_DELETE).default("restore").meta({
    description:
      'What `pulumi destroy` does: "restore" (default) puts back the settings captured when the resource was created, so removing the stack undoes exactly what it did; "keep" leaves the last applied settings; "unlist" hides the server.',
  }),
});
export type ServerSettingsInputs = z.input<typeof ServerSettingsInputs>;
export type ServerSettingsResolved = z.output<typeof ServerSettingsInputs>;

/** The settings we manage, as a plain snapshot (also what "restore" puts back). */
export const SettingsSnapshot = z.object({
  availability: z.boolean().meta({ description: "Listed on the marketplace." }),
  mrl: z.number().meta({ description: "Maximum rental length in hours." }),
  onDemandPrices: pricesPerCurrency.meta({ description: "On-demand price per day, by currency." }),
  spotPrices: pricesPerCurrency.meta({ description: "Minimum spot price per day, by currency." }),
  enabledCurrencies: z.array(Currency).meta({ description: "Currencies renters may pay in." }),
  autoprice: autopriceSetting
    .optional()
    .meta({ description: 'Per currency: "usd" when the price follows usdPricing, false for a fixed price.' }),
  usdPricing: usdPricingSetting.optional().meta({ description: "USD per day the host asks, by currency." }),
});
export type SettingsSnapshot = z.output<typeof SettingsSnapshot>;

/** What the server looks like now, beside the inputs as applied: the outputs' one declaration. */
export const ServerSettingsState = z.object({
  serverId: z.number().optional().meta({ description: "The server's id (server_config)." }),
  online: z.boolean().optional().meta({ description: "Whether the server is online." }),
  previous: SettingsSnapshot.meta({
    description: 'Settings found when the resource was created ("restore" puts them back).',
  }),
});
export type ServerSettingsOutputs = ServerSettingsResolved & z.output<typeof ServerSettingsState>;

const isCurrency = (c: string): c is Currency => (CURRENCIES as readonly string[]).includes(c);

function prices(p: Record<string, number | null> | null | undefined): Partial<Record<Currency, number>> {
  return Object.fromEntries(
    Object.entries(p ?? {}).filter(([c, v]) => isCurrency(c) && typeof v === "number"),
  ) as Partial<Record<Currency, number>>;
}

/** server_config → the snapshot of what we manage. Pure. */
export function snapshotFromConfig(c: ServerConfig): SettingsSnapshot {
  const usd = c.usd_pricing
    ? Object.fromEntries(
        Object.entries(c.usd_pricing)
          .filter(([k]) => isCurrency(k))
          .map(([k, v]) => [k, { onDemand: v.on_demand ?? 0, spot: v.spot ?? 0 }]),
      )
    : undefined;
  const auto = c.autoprice
    ? Object.fromEntries(
        Object.entries(c.autoprice)
          .filter(([k]) => isCurrency(k))
          .map(([k, v]) => [k, v === "usd" ? "usd" : false]),
      )
    : undefined;
  return {
    availability: c.availability ?? true,
    mrl: c.mrl ?? DEFAULT_MRL_HOURS,
    onDemandPrices: prices(c.pricing),
    spotPrices: prices(c.spot_pricing),
    enabledCurrencies: (c.allowed_coins ?? []).filter(isCurrency),
    autoprice: auto as SettingsSnapshot["autoprice"],
    usdPricing: usd as SettingsSnapshot["usdPricing"],
  };
}

/** Desired settings on top of the current ones: what set_server_settings must receive. Pure. */
export function mergeSettings(current: SettingsSnapshot, desired: Partial<ServerSettingsResolved>): SettingsSnapshot {
  return {
    availability: desired.availability ?? current.availability,
    mrl: desired.mrl ?? current.mrl,
    onDemandPrices: { ...current.onDemandPrices, ...desired.onDemandPrices },
    spotPrices: { ...current.spotPrices, ...desired.spotPrices },
    enabledCurrencies: desired.enabledCurrencies ?? current.enabledCurrencies,
    autoprice: desired.autoprice ? { ...current.autoprice, ...desired.autoprice } : current.autoprice,
    usdPricing: desired.usdPricing ? { ...current.usdPricing, ...desired.usdPricing } : current.usdPricing,
  };
}

/**
 * The live values of just the fields the user declared, in input shape: refresh reports
 * these, so drift made outside Pulumi (e.g. a price changed on the website) shows in diff.
 */
export function observed(
  desired: Partial<ServerSettingsResolved>,
  live: SettingsSnapshot,
): Partial<ServerSettingsResolved> {
  const pick = <T>(
    want: Partial<Record<Currency, unknown>> | undefined,
    have: Partial<Record<Currency, T>> | undefined,
  ) =>
    want
      ? (Object.fromEntries(Object.keys(want).map((c) => [c, have?.[c as Currency]])) as Partial<Record<Currency, T>>)
      : undefined;
  const out: Partial<ServerSettingsResolved> = { name: desired.name, onDelete: desired.onDelete };
  if (desired.availability !== undefined) out.availability = live.availability;
  if (desired.mrl !== undefined) out.mrl = live.mrl;
  if (desired.onDemandPrices) out.onDemandPrices = pick(desired.onDemandPrices, live.onDemandPrices);
  if (desired.spotPrices) out.spotPrices = pick(desired.spotPrices, live.spotPrices);
  if (desired.enabledCurrencies) out.enabledCurrencies = live.enabledCurrencies;
  if (desired.autoprice) out.autoprice = pick(desired.autoprice, live.autoprice);
  if (desired.usdPricing) out.usdPricing = pick(desired.usdPricing, live.usdPricing);
  return out;
}
