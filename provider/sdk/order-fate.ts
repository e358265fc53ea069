import type { CloreClient } from "./client";
import { AuthError, MissingApiKeyError } from "./errors";
import type { Order } from "./models/order";
import { type PendingOrder, newestOrderOn } from "./pending-order";

/**
 * Whether an order we know of is still live, has ended, or cannot be told. The one place the
 * package decides that an order ended; refresh, delete, an interrupted create, pending
 * handles, the readiness wait, the CLI and the job runner all ask here.
 *
 * The rule (docs/api-notes.md §7.1): absence from an answer is never proof. An order ended
 * only when `my_orders?return_completed=true` lists it with `expired: true`. An answer that
 * omits an order (an empty list, a partial or stale page, a list that fails the schema) is
 * re-read once with `return_completed=true`; an order in neither answer is **unknown**: the
 * caller keeps it as it is, says so, and never rents again because of it.
 */
export type OrderFate =
  /** Listed as active: `order` is the newest answer. */
  | { state: "live"; order: Order }
  /** Positively ended: listed with `expired: true` (`order`), or for a pending create, nothing was rented. */
  | { state: "ended"; order?: Order; reason: string }
  /** Not in any answer, or no answer could be read: keep it, warn, never rent again for it. */
  | { state: "unknown"; reason: string };

export interface FateOptions {
  /** Reuse a my_orders answer sent this recently (shared by the resources of one refresh). */
  maxAgeMs?: number;
}

/** The completed-orders re-read is shared by every order found missing in one pass. */
const COMPLETED_MAX_AGE_MS = 2000;

/** An answer we cannot read is "unknown"; a key that is missing or refused is the caller's to fix. */
function answerOrThrow(e: unknown): string {
  if (e instanceof AuthError || e instanceof MissingApiKeyError) throw e;
  return (e as Error).message;
}

async function readOrders(
  client: CloreClient,
  options: { includeCompleted?: boolean; maxAgeMs?: number },
): Promise<{ orders?: Order[]; error?: string }> {
  try {
    return { orders: await client.myOrders(options) };
  } catch (e) {
    return { error: answerOrThrow(e) };
  }
}

function unknownReason(activeError: string | undefined, completedError: string | undefined): string {
  if (activeError && activeError === completedError) return `my_orders could not be read (${activeError})`;
  const said = (label: string, error: string | undefined) =>
    error ? `${label} could not be read (${error})` : `not listed by ${label}`;
  return `${said("my_orders", activeError)}, and ${said("my_orders?return_completed=true", completedError)}`;
}

/** The fate of each of `ids`: one my_orders read (shared), and one completed re-read only when an id is missing. */
export async function orderFates(
  client: CloreClient,
  ids: readonly number[],
  options: FateOptions = {},
): Promise<Map<number, OrderFate>> {
  const fates = new Map<number, OrderFate>();
  if (!ids.length) return fates;
  const active = await readOrders(client, { maxAgeMs: options.maxAgeMs });
  const missing: number[] = [];
  for (const id of ids) {
    const order = active.orders?.find((o) => o.id === id);
    if (order && !order.expired) fates.set(id, { state: "live", order });
    else if (order) fates.set(id, { state: "ended", order, reason: `my_orders lists order ${id} as ended` });
    else missing.push(id);
  }
  if (!missing.length) return fates;
  // Suspect: an answer that omits an order we know of. Ask the one answer that can prove it ended.
  const completed = await readOrders(client, { includeCompleted: true, maxAgeMs: COMPLETED_MAX_AGE_MS });
  for (const id of missing) {
    const order = completed.orders?.find((o) => o.id === id);
    if (order?.expired) fates.set(id, { state: "ended", order, reason: `order ${id} is listed as ended` });
    // Listed, not ended: the active answer was partial.
    else if (order) fates.set(id, { state: "live", order });
    else fates.set(id, { state: "unknown", reason: unknownReason(active.error, completed.error) });
  }
  return fates;
}

export async function orderFate(client: CloreClient, id: number, options: FateOptions = {}): Promise<OrderFate> {
  return (await orderFates(client, [id], options)).get(id)!;
}

/**
 * The fate of a create whose order id we never learned (a `pending:` handle, an interrupted
 * create): the newest order on its server created since then. If no answer lists one, the
 * marketplace decides: a server it lists as not rented holds no order at all, so nothing was
 * rented (docs/api-notes.md §7 item 6: a rented server shows `rented: true`); otherwise it is unknown.
 */
export async function pendingOrderFate(
  client: CloreClient,
  pending: PendingOrder,
  options: FateOptions = {},
): Promise<OrderFate> {
  const active = await readOrders(client, { maxAgeMs: options.maxAgeMs });
  const live = active.orders && newestOrderOn(active.orders, pending.serverId, pending.since);
  if (live) return { state: "live", order: live };
  const completed = await readOrders(client, { includeCompleted: true, maxAgeMs: COMPLETED_MAX_AGE_MS });
  const made = newestOrderOn(completed.orders ?? [], pending.serverId, pending.since, undefined, {
    includeEnded: true,
  });
  if (made && !made.expired) return { state: "live", order: made };
  if (made) return { state: "ended", order: made, reason: `order ${made.id} on server ${pending.serverId} has ended` };
  let market: { error?: string; rented?: boolean } = {};
  try {
    const { servers } = await client.call("marketplace", {}, { maxAgeMs: COMPLETED_MAX_AGE_MS });
    market = { rented: servers.find((s) => s.id === pending.serverId)?.rented ?? undefined };
  } catch (e) {
    market = { error: answerOrThrow(e) };
  }
  if (market.rented === false) {
    return {
      state: "ended",
      reason: `no order was made: server ${pending.serverId} is on offer, not rented by anyone`,
    };
  }
  const why = market.error
    ? `the marketplace could not be read (${market.error})`
    : market.rented
      ? `server ${pending.serverId} shows as rented`
      : `the marketplace does not list server ${pending.serverId}`;
  return { state: "unknown", reason: `${unknownReason(active.error, completed.error)}; ${why}` };
}
