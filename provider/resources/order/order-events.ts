import { type EventKind, type Order, eventPrice, urnNames } from "../../sdk";
import { currentEvents } from "../runtime";

type OrderEventKind = Extract<EventKind, `order.${string}`>;

interface Known {
  /** The order as the API last listed it (price, server). */
  order?: Order;
  orderId?: number;
  serverId?: number;
  urn?: string;
  reason?: string;
  expiresOn?: string;
}

/**
 * One order event from what the controller knows, field by field (never a spread of inputs or
 * state: they hold the SSH password and env). Fire and forget: it never fails the operation.
 */
export function emitOrderEvent(kind: OrderEventKind, k: Known): void {
  try {
    const o = k.order;
    currentEvents().emit({
      kind,
      ...urnNames(k.urn),
      orderId: o?.id ?? k.orderId,
      serverId: o?.serverId ?? k.serverId,
      price: o ? eventPrice(o) : undefined,
      reason: k.reason,
      ...(kind === "order.rented" && o ? { type: o.type } : {}),
      ...(kind === "order.ttl-cancelled" && k.expiresOn ? { expiresOn: k.expiresOn } : {}),
    } as Parameters<ReturnType<typeof currentEvents>["emit"]>[0]);
  } catch {
    // A setting check failed at preview already; events must never fail an operation.
  }
}

/** How an order that ended without our cancel is reported: a spot order lost its bid (the API gives no reason). */
export function endedKind(type: string | undefined): "order.outbid" | "order.ended" {
  return type === "spot" ? "order.outbid" : "order.ended";
}

export const OUTBID_REASON =
  "the spot order ended and no cancel came from this stack; the API gives no reason, and an ended spot order is taken as outbid";
