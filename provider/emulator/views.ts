import { CURRENCIES, type Currency, type Pricing } from "../sdk";
import type { EmulatorOptions } from "./options";
import type { OrderRecord, ServerRecord } from "./records";
import type { EmulatorState } from "./state";
import { round } from "./util";

/**
 * State → wire JSON, field for field as in the fixtures (test/fixtures/clore-api, vendored from the team's shared/clore-api).
 * Handlers pick the records; these functions decide what the API would show.
 */

function gpuArray(s: ServerRecord): string[] {
  const gpus = (s.specs?.gpus as { type: string }[] | undefined) ?? [];
  return gpus.map((g) => g.type);
}

function only<T>(p: Record<string, T>, coins: readonly string[]): Record<string, T> {
  return Object.fromEntries(Object.entries(p).filter(([c]) => coins.includes(c)));
}

function usd(state: EmulatorState, p: Pricing, c: Currency): number {
  const v = p[c];
  return typeof v === "number" ? round(v * state.usdRates[c], 2) : 0;
}

/**
 * The servers as /marketplace lists them (wire JSON), plus `online` for convenience (the
 * wire has no such field): `marketplaceListing(emu.state).find((s) => !s.rented && s.online)`.
 */
export function marketplaceListing(state: EmulatorState): Record<string, unknown>[] {
  return state.marketplaceServers().map((s) => ({ ...marketplaceServer(state, s), online: s.online }));
}

/** One /marketplace server (fixture marketplace.json). */
export function marketplaceServer(state: EmulatorState, s: ServerRecord): Record<string, unknown> {
  const onDemand = only(state.pricing(s, "on_demand"), s.allowedCoins);
  const spot = only(state.pricing(s, "spot"), s.allowedCoins);
  const spotUsd = s.allowedCoins.map((c) => usd(state, spot, c)).filter((v) => v > 0);
  const price: Record<string, unknown> = {
    on_demand: onDemand,
    spot,
    usd: {
      on_demand_clore: usd(state, onDemand, "CLORE-Blockchain"),
      on_demand_usd: usd(state, onDemand, "USD-Blockchain"),
      on_demand_btc: usd(state, onDemand, "bitcoin"),
      spot: spotUsd.length ? Math.min(...spotUsd) : 0,
    },
  };
  const originalUsd = only(s.usdPricing, s.allowedCoins);
  if (Object.keys(originalUsd).length) price.original_usd = originalUsd;
  const out: Record<string, unknown> = {
    id: s.id,
    owner: s.owner,
    mrl: s.mrl,
    price,
    rented: state.isRented(s),
    specs: s.specs,
    reliability: s.reliability,
    allowed_coins: [...s.allowedCoins],
    rating: { ...s.rating },
    gpu_array: gpuArray(s),
    cuda_version: s.cudaVersion,
    gigaspot: s.gigaspot,
  };
  if (s.oc !== undefined) out.oc = s.oc;
  return out;
}

/**
 * The fields /my_servers and /server_config share, in wire order: `middle` goes between
 * `pricing` and `online` (as in the fixtures), `after` follows `online`.
 */
function hostedServerHead(
  state: EmulatorState,
  s: ServerRecord,
  middle: Record<string, unknown>,
  after: Record<string, unknown>,
): Record<string, unknown> {
  return {
    name: s.name,
    connected: s.connected,
    visibility: s.visibility,
    pricing: state.pricing(s, "on_demand"),
    ...middle,
    online: s.online,
    ...after,
  };
}

/** A never-connected server has no specs. */
function addSpecs(out: Record<string, unknown>, s: ServerRecord): void {
  if (s.specs && s.connected) out.specs = s.specs;
}

/** One /my_servers entry (fixture my_servers.json); a never-connected server has no specs. */
export function myServer(state: EmulatorState, s: ServerRecord): Record<string, unknown> {
  const out = hostedServerHead(
    state,
    s,
    {},
    {
      min_spot_pricing: state.pricing(s, "spot"),
      allowed_currencies: [...s.allowedCoins],
    },
  );
  if (s.initToken) out.init_token = s.initToken;
  addSpecs(out, s);
  return out;
}

/** /server_config's `config` (fixture server_config.json). */
export function serverConfig(state: EmulatorState, s: ServerRecord): Record<string, unknown> {
  const out = hostedServerHead(
    state,
    s,
    { spot_pricing: state.pricing(s, "spot"), mrl: s.mrl },
    {
      initialized: s.connected,
      id: s.id,
      // rental_status is an undocumented enum (docs/api-notes.md §9); INFERRED: 0 = free, 1 = rented.
      rental_status: state.isRented(s) ? 1 : 0,
    },
  );
  addSpecs(out, s);
  out.background_job = s.backgroundJob ?? { times_updated: 0, image: "", command: "", env: {} };
  out.allowed_coins = [...s.allowedCoins];
  out.autoprice = { ...s.autoprice };
  out.usd_pricing = structuredClone(s.usdPricing);
  return out;
}

/** One /my_orders order (fixtures my_orders*.json). Before boot: my_orders_provisioning_INFERRED.json. */
export function order(state: EmulatorState, options: EmulatorOptions, o: OrderRecord): Record<string, unknown> {
  const s = state.servers.get(o.serverId);
  const running = o.state === "active" && o.booted;
  const out: Record<string, unknown> = {
    id: o.id,
    si: o.serverId,
    owner: s?.owner ?? 0,
    image: o.image,
    currency: o.currency,
    price: o.price,
  };
  const usdPrice = s?.usdPricing[o.currency]?.on_demand;
  if (o.type === "on-demand" && usdPrice !== undefined) out.original_price_usd = usdPrice;
  Object.assign(out, {
    creation_fee: o.creationFee,
    spend: state.spend(o),
    ct: Math.floor(o.createdAt / 1000),
    mrl: s?.mrl ?? 0,
    spot: o.type === "spot",
    expired: o.state !== "active",
    online: running,
    // mon_container: a client treats 2 = running, 0 = not deployed (docs/api-notes.md §6.5).
    mon_container: running ? 2 : 0,
    auto_login: o.autoLogin,
  });
  if (o.booted || options.provisioningFields === "empty") {
    out.pub_cluster = o.booted ? [options.publicHost] : [];
    out.tcp_ports = o.tcpPorts.map((p) => `${p.container}:${p.public}`);
  }
  out.http_port = o.httpPort;
  if (o.booted || options.provisioningFields === "empty") out.http_pub = o.httpPub;
  Object.assign(out, {
    rating: { ...(s?.rating ?? { avg: 0, cnt: 0 }) },
    reliability: s?.reliability ?? 0,
    cuda_version: s?.cudaVersion ?? "",
    gpu_array: s ? gpuArray(s) : [],
    specs: s?.specs ?? {},
  });
  return out;
}

/** /spot_marketplace's `market` (fixture spot_marketplace.json); offer_id = order id. */
export function spotMarket(state: EmulatorState, s: ServerRecord): Record<string, unknown> {
  const mine = state.activeOrdersOn(s.id).filter((o) => o.type === "spot");
  return {
    offers: [
      ...s.foreignOffers.map((f) => ({
        offer_id: f.offer_id,
        bid: f.bid,
        active: f.active,
        my: false,
        currency: f.currency,
      })),
      ...mine.map((o) => ({ offer_id: o.id, bid: o.price, active: true, my: true, currency: o.currency })),
    ],
    server: {
      min_pricing: only(state.pricing(s, "spot"), s.allowedCoins),
      mrl: s.mrl,
      online: s.online,
      visibility: s.visibility,
    },
    currency_rates_in_usd: usdRates(state),
  };
}

/** The market of a server that has none (unknown id): no offers, no server. */
export function emptySpotMarket(state: EmulatorState): Record<string, unknown> {
  return { offers: [], currency_rates_in_usd: usdRates(state) };
}

const usdRates = (state: EmulatorState) => Object.fromEntries(CURRENCIES.map((c) => [c, state.usdRates[c]]));

// Overclock ranges per GPU for the GigaSPOT snapshot (made up, fixture-shaped).
const OC_RANGES = {
  mem_lock: [405, 10501],
  core_lock: [210, 3105],
  mem_offset: [-2000, 3000],
  core_offset: [-500, 300],
};

/** The JSON at get_gigaspot's v1_snapshot_url (fixture gigaspot_snapshot.json), keyed by server id. */
export function gigaspotSnapshot(state: EmulatorState): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const s of state.marketplaceServers().filter((x) => x.gigaspot)) {
    const [cores, threads] = String(s.specs?.cpus ?? "0/0")
      .split("/")
      .map(Number);
    const pl = ((s.specs?.pl as number[] | undefined) ?? [])[0] ?? 0;
    const active = state.activeOrdersOn(s.id);
    const mine = active.filter((o) => o.gigaspot);
    out[String(s.id)] = {
      bids: [
        ...s.foreignOffers.map((f) => ({
          owner: f.owner,
          id: f.offer_id,
          active: f.active,
          to_cache: true,
          cached: true,
          price: f.bid,
          currency: f.currency,
          pl,
        })),
        ...mine.map((o) => ({
          owner: state.userId,
          id: o.id,
          active: true,
          to_cache: true,
          cached: true,
          price: o.price,
          currency: o.currency,
          pl,
        })),
      ],
      on_demand_rented: s.rentedByOthers || active.some((o) => o.type === "on-demand"),
      online: s.online,
      cpu: s.specs?.cpu ?? "",
      cores: cores || 0,
      threads: threads || 0,
      ram: s.specs?.ram ?? 0,
      gpus: gpuArray(s).map((model) => ({ pl: [Math.round(pl * 0.5), pl], ...OC_RANGES, model })),
      working_properly: s.online,
      cuda: s.cudaVersion,
      max_rental_length: s.mrl * 3600,
      cc: (s.specs?.net as { cc?: string } | undefined)?.cc ?? "",
      host: s.owner,
      reliability: s.reliability,
      min_bid: state.pricing(s, "spot")["CLORE-Blockchain"] ?? 0,
      energy_price: s.energyPrice ?? 0.1,
    };
  }
  return out;
}
