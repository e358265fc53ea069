import type { Order } from "./models/order";

/**
 * A create_order whose order we could not identify: create_order returns no id, so a failed,
 * timed-out or interrupted create is known only by its server and when it was sent. The
 * order it made, if any, is the newest active order on that server created since then.
 * This module owns that rule and the `pending:<serverId>:<since>` handle a Pulumi stack
 * keeps in place of an order id; the provider, `clore orphans` and the tests all use it.
 */
export interface PendingOrder {
  serverId: number;
  /** Unix seconds (clock skew allowed for) from which the order, if it exists, shows as created. */
  since: number;
}

const HANDLE = /^pending:(\d+):(\d+)$/;

/** Seconds the API's `ct` may differ from our clock when matching a new order. */
const CLOCK_SKEW_S = 120;

/** `since` for a create sent at `nowMs` (our clock): orders created from then on, skew allowed for. */
export function pendingSince(nowMs: number): number {
  return Math.floor(nowMs / 1000) - CLOCK_SKEW_S;
}

export function pendingHandle(p: PendingOrder): string {
  return `pending:${p.serverId}:${p.since}`;
}

export function parsePendingHandle(id: string | undefined): PendingOrder | undefined {
  const m = HANDLE.exec(id ?? "");
  return m ? { serverId: Number(m[1]), since: Number(m[2]) } : undefined;
}

/** Whether `order` may be what the pending create made (same server, created since). */
export function isPendingOrder(p: PendingOrder, order: Pick<Order, "serverId" | "ct" | "expired">): boolean {
  return order.serverId === p.serverId && !order.expired && (order.ct ?? p.since) >= p.since;
}

/**
 * The order a create on `serverId` made: the newest active order there created at or after
 * `since` (Unix s), skipping `exclude`. my_orders is the only place the API reveals the id.
 */
export function newestOrderOn(
  orders: Order[],
  serverId: number,
  since: number,
  exclude: ReadonlySet<number> = new Set(),
  options: { includeEnded?: boolean } = {},
): Order | undefined {
  return orders
    .filter(
      (o) =>
        !exclude.has(o.id) && isPendingOrder({ serverId, since }, options.includeEnded ? { ...o, expired: false } : o),
    )
    .sort((a, b) => (b.ct ?? 0) - (a.ct ?? 0) || b.id - a.id)[0];
}
