/**
 * The bookkeeping behind the rate limiter, as pure functions on one small record per API
 * key. A slot store (in memory, or a file shared by every process using the key) stores the
 * record and applies these functions atomically; the limiter only sleeps.
 *
 * Two timelines are kept on purpose. `next*` is a queue: each waiter is promised a slot
 * when it asks, so waiters in several processes wake one after another instead of all at
 * once. `sent*` is what actually happened: a waiter that wakes late (a busy event loop, a
 * descheduled process) sends late, and the next waiter must be spaced from that real send,
 * not from the slot it was promised. Spacing from promised slots let two requests arrive
 * 970 ms apart under load; spacing from real sends is what lets the margin over the API's
 * 1 s stay small.
 */

/** Which budget a request draws on. Every request takes a general 1/s slot; create_order
 * additionally takes the 1-per-5-s create slot (docs/api-notes.md §3: whether create counts toward
 * the general budget is undocumented, so we assume it does). */
export type Lane = "general" | "create";

export interface RateLimits {
  /** Minimum gap between any two requests with one key. Default 1010 ms (the API allows 1/s). */
  minIntervalMs: number;
  /** Minimum gap between two create_order calls. Default 5020 ms (the API allows 1 per 5 s). */
  createIntervalMs: number;
}

export interface SlotState {
  /** The next slot promised to a waiter, any lane / create lane (epoch ms). */
  nextAny: number;
  nextCreate: number;
  /** When the last request, and the last create_order, went out. */
  sentAny: number;
  sentCreate: number;
  /** Nothing is sent before this (set after a 429 for the backoff). */
  heldUntil: number;
  /** Extra spacing learned from 429s, as a fraction of each interval, and when it was last raised. */
  slowdown: number;
  slowedAt: number;
}

/** After a 429 the spacing grows by 2.5 %, then 5, 10, at most 20 % of the interval… */
const SLOWDOWN_STEPS = { first: 0.025, max: 0.2 };
/** …and drops back to the configured limits after this long without another 429. */
export const SLOWDOWN_RESET_MS = 5 * 60_000;

export function emptySlots(): SlotState {
  return { nextAny: 0, nextCreate: 0, sentAny: 0, sentCreate: 0, heldUntil: 0, slowdown: 0, slowedAt: 0 };
}

/** A record read back from storage; anything missing or malformed starts from zero. */
export function slotsFrom(raw: unknown): SlotState {
  const s = emptySlots();
  if (raw && typeof raw === "object") {
    for (const k of Object.keys(s) as (keyof SlotState)[]) {
      const v = Number((raw as Record<string, unknown>)[k]);
      if (Number.isFinite(v)) s[k] = v;
    }
  }
  return s;
}

/** The slowdown still in force at `now` (0 once five quiet minutes have passed). */
function activeSlowdown(s: SlotState, now: number): number {
  return now - s.slowedAt > SLOWDOWN_RESET_MS ? 0 : s.slowdown;
}

/** The intervals in force at `now`: the configured limits plus any slowdown learned from 429s. */
export function effectiveLimits(s: SlotState, limits: RateLimits, now: number): RateLimits {
  const slowdown = activeSlowdown(s, now);
  return {
    minIntervalMs: Math.ceil(limits.minIntervalMs * (1 + slowdown)),
    createIntervalMs: Math.ceil(limits.createIntervalMs * (1 + slowdown)),
  };
}

/** The earliest time a request in `lane` may go out under `limits` (in force), judged by what was really sent. */
function earliestSend(s: SlotState, lane: Lane, { minIntervalMs, createIntervalMs }: RateLimits): number {
  let at = Math.max(s.heldUntil, s.sentAny + minIntervalMs);
  if (lane === "create") at = Math.max(at, s.sentCreate + createIntervalMs);
  return at;
}

/** Promise the caller a slot: the earliest one after every slot already promised. Returns its time. */
export function reserveSlot(s: SlotState, lane: Lane, now: number, limits: RateLimits): number {
  const inForce = effectiveLimits(s, limits, now);
  let at = Math.max(now, s.nextAny, earliestSend(s, lane, inForce));
  if (lane === "create") at = Math.max(at, s.nextCreate);
  s.nextAny = at + inForce.minIntervalMs;
  if (lane === "create") s.nextCreate = at + inForce.createIntervalMs;
  return at;
}

/**
 * Record that a request in `lane` goes out now, if the real send times allow it; returns
 * undefined when recorded, else the time to try again (the caller must not send).
 */
export function commitSend(s: SlotState, lane: Lane, now: number, limits: RateLimits): number | undefined {
  const at = earliestSend(s, lane, effectiveLimits(s, limits, now));
  if (at > now) return at;
  s.sentAny = now;
  if (lane === "create") s.sentCreate = now;
  return undefined;
}

/**
 * The request let through at `commitSend` was only written to the socket at `now` (a new
 * connection or TLS handshake delayed it): space the next request from then.
 */
export function markWritten(s: SlotState, lane: Lane, now: number): void {
  s.sentAny = Math.max(s.sentAny, now);
  if (lane === "create") s.sentCreate = Math.max(s.sentCreate, now);
}

/** After a 429: nobody sends for `ms`, and the spacing grows for a while (adaptive slowdown). */
export function slowDown(s: SlotState, now: number, ms: number): void {
  s.heldUntil = Math.max(s.heldUntil, now + ms);
  const current = activeSlowdown(s, now);
  s.slowdown = current ? Math.min(current * 2, SLOWDOWN_STEPS.max) : SLOWDOWN_STEPS.first;
  s.slowedAt = now;
}
