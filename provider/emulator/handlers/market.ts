import * as view from "../views";
import { type Handler, apiError, fieldError, ok } from "../wire";

/** GET /marketplace (fixture marketplace.json). Works without a key unless `marketplaceRequiresAuth`. */
export const marketplace: Handler<"marketplace"> = ({ state, options, keyFingerprint }) => {
  const payload: Record<string, unknown> = {
    servers: state.marketplaceServers().map((s) => view.marketplaceServer(state, s)),
  };
  if (options.marketplaceIncludesMyServers) {
    payload.my_servers = keyFingerprint === "anonymous" ? [] : state.hostedServers().map((s) => s.id);
  }
  return ok(payload);
};

/** GET /spot_marketplace?market=<server id> (fixture spot_marketplace.json). */
export const spotMarketplace: Handler<"spot_marketplace"> = ({ state, query }) => {
  const s = state.servers.get(Number(query.market));
  // Unknown server: the answer still has `market` (docs/api-notes.md §6.6 lists it), with no
  // offers and no server (INFERRED), and `exists: false`.
  if (!s || !state.marketplaceServers().includes(s)) return ok({ market: view.emptySpotMarket(state), exists: false });
  return ok({ market: view.spotMarket(state, s), exists: true });
};

/**
 * POST /set_spot_price {order_id, desired_price}. Raising is always allowed; lowering at
 * most `spotMaxStep` per change and once per `spotLowerIntervalMs` (docs/api-notes.md §6.8).
 */
export const setSpotPrice: Handler<"set_spot_price"> = ({ state, options, body }) => {
  const o = state.orders.get(body.order_id);
  if (o?.state !== "active") return fieldError(options, options.inventedErrors.orderNotFound);
  if (o.type !== "spot") return fieldError(options, options.inventedErrors.notSpotOrder);
  const desired = body.desired_price;
  if (desired >= o.price) {
    state.setPrice(o, desired);
    return ok();
  }
  const server = state.servers.get(o.serverId);
  const min = server && state.spotMin(server, o.currency);
  if (min !== undefined && desired < min) return fieldError(options, "too_low_price", { min_price: min });
  const spotError = (error: string, extra: Record<string, unknown>) =>
    apiError(options.spotErrorHttpStatus, options.spotErrorCode, { error, ...extra });
  const now = state.now();
  if (o.lastLoweredAt !== undefined && now - o.lastLoweredAt < options.spotLowerIntervalMs) {
    return spotError("can_lower_every_600_seconds", {
      time_to_lowering: Math.ceil((options.spotLowerIntervalMs - (now - o.lastLoweredAt)) / 1000),
    });
  }
  const maxStep = options.spotMaxStep[o.currency];
  if (o.price - desired > maxStep * (1 + 1e-9)) return spotError("exceeded_max_step", { max_step: maxStep });
  state.setPrice(o, desired);
  return ok();
};
