import { type Order, isPendingOrder } from "../../sdk";
import { ageSeconds } from "../format";
import { orderUsdPerDay } from "../order-view";
import type { StackOrders } from "../stack-state";

export interface Orphan extends Order {
  ageSeconds: number | null;
  /** Daily cost in USD when known (USD orders or original_price_usd), else null: see price/currency. */
  usdPerDay: number | null;
  /** Set when a stack has an unfinished create on this order's server (an interrupted `pulumi up`). */
  interruptedCreate: { stack: string | null; urn: string } | null;
  /** With `expired`: the stack's order whose ttl/expiresAt has passed. */
  expiredOn: string | null;
}

/** An order a stack holds that is no longer active: the stack should refresh. */
export interface StaleOrder {
  orderId: number;
  urn: string;
  source: string;
}

export interface Classification {
  /** Active orders no stack accounts for (and, with `expired`, stack orders past their TTL), oldest first. */
  orphans: Orphan[];
  stale: StaleOrder[];
  /** How many orders the stacks hold. */
  known: number;
}

/**
 * Which active orders belong to no stack, pure: an order belongs to a stack when the stack
 * holds its id, or holds a `pending:` handle that stands for it (the stack adopts it on its
 * next refresh). An interrupted create on the order's server is named, so the user can see
 * which stack likely rented it.
 */
export function classifyOrders(
  stacks: StackOrders[],
  active: Order[],
  options: { expired?: boolean; now: number },
): Classification {
  const known = new Map<number, { urn: string; source: string; expiresOn?: string }>();
  for (const s of stacks)
    for (const k of s.orders) known.set(k.orderId, { urn: k.urn, source: s.source, expiresOn: k.expiresOn });
  const expiredOn = (id: number): string | null => {
    const at = known.get(id)?.expiresOn;
    return options.expired && at && Date.parse(at) <= options.now ? at : null;
  };
  const heldByHandle = (o: Order) =>
    stacks.some((s) =>
      s.pendingCreates.some(
        (p) =>
          p.since !== undefined &&
          p.serverId !== undefined &&
          isPendingOrder({ serverId: p.serverId, since: p.since }, o),
      ),
    );
  const interruptedCreate = (serverId: number | undefined): Orphan["interruptedCreate"] => {
    for (const s of stacks) {
      const pending = s.pendingCreates.find((p) => serverId !== undefined && p.serverId === serverId);
      if (pending) return { stack: s.stack ?? null, urn: pending.urn };
    }
    return null;
  };
  const orphans = active
    .filter((o) => (!known.has(o.id) && !heldByHandle(o)) || expiredOn(o.id) !== null)
    .sort((a, b) => (a.ct ?? 0) - (b.ct ?? 0) || a.id - b.id)
    .map((o) => ({
      ...o,
      ageSeconds: ageSeconds(o.ct, options.now) ?? null,
      usdPerDay: orderUsdPerDay(o) ?? null,
      interruptedCreate: interruptedCreate(o.serverId),
      expiredOn: expiredOn(o.id),
    }));
  const activeIds = new Set(active.map((o) => o.id));
  const stale = [...known]
    .filter(([id]) => !activeIds.has(id))
    .map(([orderId, k]) => ({ orderId, urn: k.urn, source: k.source }));
  return { orphans, stale, known: known.size };
}
