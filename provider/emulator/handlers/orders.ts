import * as view from "../views";
import { type Handler, databaseError, fieldError, invalidInput, ok } from "../wire";

/** GET /my_orders[?return_completed=true] (fixtures my_orders*.json). */
export const myOrders: Handler<"my_orders"> = ({ state, options, query }) => {
  const now = state.now();
  const completed = query.return_completed === "true";
  const orders = [...state.orders.values()]
    .filter((o) => (completed ? now >= o.visibleAt : state.isListedActive(o, now)))
    .sort((a, b) => a.id - b.id)
    .map((o) => view.order(state, options, o));
  return ok({ orders, limit: options.myOrdersLimit });
};

/**
 * POST /create_order → `{"code":0}` and nothing else: the API returns no order id, so
 * clients find the new order in my_orders by server id (docs/api-notes.md §6.10, §7).
 * The order of the checks below is INFERRED; each answer is the one docs/api-notes.md lists.
 */
export const createOrder: Handler<"create_order"> = ({ state, options, body, keyFingerprint }) => {
  const s = state.servers.get(body.renting_server);
  const own = s?.owner === state.userId;
  if (!s?.connected || !s.specs || s.visibility === "hidden" || (own && !options.allowRentingOwnServer)) {
    return fieldError(options, options.inventedErrors.serverNotFound);
  }
  if (!s.online) return fieldError(options, "server-offline");
  if (state.isRented(s)) return fieldError(options, "server-already-rented");
  if (!s.allowedCoins.includes(body.currency)) return fieldError(options, "currency-not-allowed");
  const ports = body.ports ?? {};
  if (options.maxPortsPerOrder > 0 && Object.keys(ports).length > options.maxPortsPerOrder) {
    return invalidInput(options, `ports: at most ${options.maxPortsPerOrder} ports`);
  }
  let price: number;
  if (body.type === "spot") {
    // Semantic rule the zod schema cannot express; INFERRED to be code 2.
    if (body.spotprice === undefined) return invalidInput(options, "spotprice: is required when type is 'spot'");
    const min = state.spotMin(s, body.currency);
    if (min !== undefined && body.spotprice < min) return fieldError(options, "too_low_price", { min_price: min });
    price = body.spotprice;
  } else {
    const current = state.pricing(s, "on_demand")[body.currency];
    if (typeof current !== "number") return fieldError(options, "currency-not-allowed");
    price = current;
    const expected = body.required_price;
    if (
      expected !== undefined &&
      options.requiredPriceMismatch === "database-error" &&
      Math.abs(expected - current) > 1e-9 * Math.max(1, current)
    ) {
      return databaseError(options);
    }
  }
  const fee = state.creationFee(body.type, body.currency);
  if (!state.canAfford(body.currency, fee, price)) {
    return options.notEnoughBalanceCode === 6 ? fieldError(options, "not_enough_balance") : databaseError(options);
  }
  state.createOrder({
    serverId: s.id,
    type: body.type,
    currency: body.currency,
    image: body.image,
    price,
    ports,
    env: body.env,
    command: body.command,
    sshPassword: body.ssh_password,
    sshKey: body.ssh_key,
    createdBy: keyFingerprint,
  });
  // One client saw HTTP 500 code 1 for an env value with "&" — and the order existed anyway.
  if (options.rejectAmpersandInEnv && Object.values(body.env ?? {}).some((v) => v.includes("&")))
    return databaseError(options);
  return ok();
};

/** POST /cancel_order {id, issue?} → `{"code":0}`; the order then shows `expired: true` with return_completed. */
export const cancelOrder: Handler<"cancel_order"> = ({ state, options, body }) => {
  const o = state.orders.get(body.id);
  if (o?.state !== "active") {
    // Undocumented (docs/api-notes.md §9): the error string is INVENTED, see options.inventedErrors.
    return options.cancelUnknown === "ok" ? ok() : fieldError(options, options.inventedErrors.orderNotFound);
  }
  if (body.issue !== undefined) o.issue = body.issue;
  state.endOrder(o.id, "cancelled");
  return ok();
};

/** POST /cancel_orders {order_ids} (≤ 64) → `failed_to_cancel` (ids as strings, as docs/api-notes.md §4 types them). */
export const cancelOrders: Handler<"cancel_orders"> = ({ state, body }) => {
  const failed: string[] = [];
  for (const id of body.order_ids) {
    const o = state.orders.get(id);
    if (o && o.state === "active") state.endOrder(id, "cancelled");
    else failed.push(String(id));
  }
  return ok({ failed_to_cancel: failed });
};
