import { z } from "zod";
import { type OrderMoneyInput, USD_CURRENCY, orderMoney } from "../money";

/*
 * Lifecycle events: what happened to an order or a job, for a team to subscribe to (a JSON
 * line, a Slack message). The schema is the allow-list: every sink sends `LifecycleEvent.parse(e)`,
 * and zod objects drop keys they do not declare, so an input, an env value or a password handed
 * in by mistake never leaves the process. Nothing here holds free text from the user's program
 * (commands, env, stderr): `reason` is always a sentence this package wrote.
 */

const Price = z
  .object({
    perDay: z.number().meta({ description: "Price per day in `currency` (spot: the bid)." }),
    currency: z.string(),
    usdPerDay: z.number().optional().meta({ description: "USD per day when known (≈ when `approximate`)." }),
    approximate: z.boolean().optional(),
  })
  .meta({ description: "What the order costs, as sdk/money.ts prices it." });

const Common = {
  time: z.iso.datetime().meta({ description: "When it happened (ISO 8601, UTC)." }),
  stack: z.string().optional().meta({ description: "The Pulumi stack, where known." }),
  resource: z.string().optional().meta({ description: "The resource's name in its stack, where known." }),
  orderId: z.number().int().optional(),
  serverId: z.number().int().optional(),
};

const OrderCommon = {
  ...Common,
  price: Price.optional(),
  reason: z.string().optional().meta({ description: "Why, in words (written by this package)." }),
};

const JobCommon = {
  ...Common,
  step: z.string().optional().meta({ description: 'Where the job was: "upload", "command 2 of 3", "download".' }),
};

const kind = <K extends string>(k: K) => z.literal(k);

/** Every lifecycle event, one declaration: its JSON line, its webhook body and its type. */
export const LifecycleEvent = z.discriminatedUnion("kind", [
  z.object({ kind: kind("order.rented"), ...OrderCommon, type: z.enum(["on-demand", "spot"]).optional() }),
  z.object({ kind: kind("order.ready"), ...OrderCommon }),
  z.object({ kind: kind("order.outbid"), ...OrderCommon }),
  z.object({ kind: kind("order.ended"), ...OrderCommon }),
  z.object({ kind: kind("order.ttl-cancelled"), ...OrderCommon, expiresOn: z.string().optional() }),
  z.object({ kind: kind("order.cancelled"), ...OrderCommon }),
  z.object({ kind: kind("order.orphan-swept"), ...OrderCommon }),
  z.object({ kind: kind("job.started"), ...JobCommon }),
  z.object({
    kind: kind("job.reconnected"),
    ...JobCommon,
    outageMs: z.number().optional(),
    outages: z.number().int().optional(),
  }),
  z.object({
    kind: kind("job.restarted"),
    ...JobCommon,
    attempt: z
      .number()
      .int()
      .optional()
      .meta({ description: "The attempt now starting, when the whole job starts again." }),
    reason: z.string().optional(),
  }),
  z.object({
    kind: kind("job.finished"),
    ...JobCommon,
    durationMs: z.number().optional(),
    commands: z.number().int().optional(),
    outages: z.number().int().optional(),
  }),
  z.object({
    kind: kind("job.failed"),
    ...JobCommon,
    durationMs: z.number().optional(),
    exitCode: z.number().int().nullable().optional(),
    error: z.string().optional().meta({ description: "The failure's stable code, e.g. CLORE_SSH_COMMAND_FAILED." }),
    reason: z.string().optional(),
  }),
]);
export type LifecycleEvent = z.output<typeof LifecycleEvent>;
export type EventKind = LifecycleEvent["kind"];
/** `Omit` over each member of a union (TypeScript's own collapses the union). */
export type OmitEach<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** An event as emitters build it: `time` defaults to now. */
export type LifecycleEventInput = OmitEach<LifecycleEvent, "time"> & { time?: string };
export type EventPrice = z.output<typeof Price>;

export const EVENT_KINDS: readonly EventKind[] = LifecycleEvent.options.map((o) => o.shape.kind.value);

/** The `price` of an event for an order as the API lists it (one pricing rule: sdk/money.ts). */
export function eventPrice(order: OrderMoneyInput): EventPrice | undefined {
  const m = orderMoney(order);
  if (m.perDay === undefined) return undefined;
  const usdPerDay = m.usdPerDay ?? (m.currency === USD_CURRENCY ? m.perDay : undefined);
  return {
    perDay: m.perDay,
    currency: m.currency,
    ...(usdPerDay !== undefined ? { usdPerDay } : {}),
    ...(m.approximate ? { approximate: true } : {}),
  };
}

/** `stack` and `resource` from a URN (urn:pulumi:<stack>::<project>::<type>::<name>). */
export function urnNames(urn: string | undefined): { stack?: string; resource?: string } {
  const m = urn ? /^urn:pulumi:([^:]+)::[^:]*::.*::([^:]+)$/.exec(urn) : null;
  return m ? { stack: m[1], resource: m[2] } : {};
}

const SENTENCES: Record<EventKind, string> = {
  "order.rented": "rented",
  "order.ready": "is ready",
  "order.outbid": "was outbid (its spot bid lost)",
  "order.ended": "ended outside Pulumi",
  "order.ttl-cancelled": "passed its TTL and was cancelled",
  "order.cancelled": "was cancelled",
  "order.orphan-swept": "was an orphan (no stack holds it) and was cancelled",
  "job.started": "started",
  "job.reconnected": "reconnected after a lost connection",
  "job.restarted": "ran a step again from its start after a lost connection",
  "job.finished": "finished",
  "job.failed": "failed",
};

/** One line for a chat: `clore: order 12 on server 60101 rented ($1.2000/day) [dev/gpu]`. */
export function describeEvent(e: LifecycleEvent): string {
  const subject = e.kind.startsWith("job.")
    ? `job${e.orderId !== undefined ? ` on order ${e.orderId}` : ""}`
    : `order ${e.orderId ?? "?"}${e.serverId !== undefined ? ` on server ${e.serverId}` : ""}`;
  const price =
    "price" in e && e.price ? ` (${e.price.approximate ? "≈" : ""}${e.price.perDay} ${e.price.currency}/day)` : "";
  const where = [e.stack, e.resource].filter(Boolean).join("/");
  const step = "step" in e && e.step ? ` in ${e.step}` : "";
  const reason = "reason" in e && e.reason ? `: ${e.reason}` : "";
  return `clore: ${subject} ${SENTENCES[e.kind]}${step}${price}${reason}${where ? ` [${where}]` : ""}`;
}
