import { createHash } from "node:crypto";
import { type Clock, systemClock } from "./clock";

/**
 * Which budget a request draws on. Every request takes a general 1/s slot; create_order
 * additionally takes the 1-per-5-s create slot (API.md §3: whether create counts toward
 * the general budget is undocumented, so we assume it does).
 */
export type Lane = "general" | "create";

export interface RateLimits {
  /** Minimum gap between any two requests with one key. Default 1100 ms (the API allows 1/s). */
  minIntervalMs: number;
  /** Minimum gap between two create_order calls. Default 5200 ms (the API allows 1 per 5 s). */
  createIntervalMs: number;
}

/**
 * The API allows 1 request/s and 1 create/5 s per key. We keep a small margin: requests
 * spaced exactly 1 s apart can arrive closer than that after network jitter and draw 429s.
 */
export const DEFAULT_LIMITS: RateLimits = { minIntervalMs: 1100, createIntervalMs: 5200 };

/**
 * Where slot reservations are recorded. The in-memory ledger serves one process; a
 * file-backed ledger (see `file-ledger.ts`) shares one key's budget across processes.
 */
export interface SlotLedger {
  /** Reserve the earliest allowed start time >= `now` for `lane`, record it, and return it. */
  reserve(lane: Lane, now: number, limits: RateLimits): Promise<number> | number;
  /** Push every lane's next slot to at least `until` (after a 429, to let the API cool down). */
  hold(until: number): Promise<void> | void;
}

export class MemoryLedger implements SlotLedger {
  private nextAny = 0;
  private nextCreate = 0;
  reserve(lane: Lane, now: number, limits: RateLimits): number {
    let at = Math.max(now, this.nextAny);
    if (lane === "create") at = Math.max(at, this.nextCreate);
    this.nextAny = at + limits.minIntervalMs;
    if (lane === "create") this.nextCreate = at + limits.createIntervalMs;
    return at;
  }
  hold(until: number): void {
    this.nextAny = Math.max(this.nextAny, until);
  }
}

export interface RateLimiterOptions {
  clock?: Clock;
  limits?: Partial<RateLimits>;
  ledger?: SlotLedger;
}

/**
 * Spaces requests so one API key never exceeds the Clore limits. Callers wait for their
 * slot in arrival order; the request itself then runs concurrently with later waiters.
 */
export class RateLimiter {
  readonly clock: Clock;
  readonly limits: RateLimits;
  private readonly ledger: SlotLedger;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(options: RateLimiterOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.ledger = options.ledger ?? new MemoryLedger();
  }

  /** Resolves when a request in `lane` may be sent. */
  acquire(lane: Lane): Promise<void> {
    const turn = this.tail.then(async () => {
      const at = await this.ledger.reserve(lane, this.clock.now(), this.limits);
      const wait = at - this.clock.now();
      if (wait > 0) await this.clock.sleep(wait);
    });
    this.tail = turn.catch(() => undefined);
    return turn;
  }

  /** After a 429: hold every lane for `ms`, so other callers do not hit the limit too. */
  async backOff(ms: number): Promise<void> {
    await this.ledger.hold(this.clock.now() + ms);
  }
}

/** A short, non-reversible name for a key: safe for file names, logs and cache keys. */
export function keyFingerprint(apiKey: string | undefined): string {
  if (!apiKey) return "anonymous";
  return createHash("sha256").update(apiKey).digest("hex").slice(0, 16);
}

// Shared across every copy of this package in the process (the program may load two).
const REGISTRY = Symbol.for("pulumi-clore.rate-limiters");
type Registry = Map<string, RateLimiter>;

/**
 * The process-wide limiter for one API key: every client with that key shares it,
 * whatever its options, so N resources never add up to N requests per second.
 */
export function sharedRateLimiter(apiKey: string | undefined, create: () => RateLimiter = () => new RateLimiter()): RateLimiter {
  const g = globalThis as unknown as Record<symbol, Registry | undefined>;
  const registry = (g[REGISTRY] ??= new Map());
  const id = keyFingerprint(apiKey);
  let limiter = registry.get(id);
  if (!limiter) {
    limiter = create();
    registry.set(id, limiter);
  }
  return limiter;
}
