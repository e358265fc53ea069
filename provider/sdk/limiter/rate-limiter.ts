import { createHash } from "node:crypto";
import { type Clock, systemClock } from "../clock";
import {
  type Lane,
  type RateLimits,
  type SlotState,
  commitSend,
  emptySlots,
  markWritten,
  reserveSlot,
  slowDown,
} from "./rate-slots";

export type { Lane, RateLimits, SlotState } from "./rate-slots";

/**
 * The API allows 1 request/s and 1 create/5 s per key. We keep a small margin for the
 * jitter between our send and the API's arrival, spaced from real send times (see
 * rate-slots.ts), and widen it for a while after any 429.
 */
export const DEFAULT_LIMITS: RateLimits = { minIntervalMs: 1010, createIntervalMs: 5020 };

/**
 * Where one key's slot record lives. The in-memory store serves one process; a
 * file-backed store (see `file-store.ts`) shares one key's budget across processes.
 * `update` applies `fn` to the record atomically (no other update runs in between).
 */
export interface SlotStore {
  update<T>(fn: (s: SlotState) => T): T | Promise<T>;
  /** What `clore config` shows: which store, and for Redis where and whether it answers. */
  describe?(): string;
  /** Resolves once the store can be used; rejects, naming the setting, when a configured store cannot (a wrong Redis URL or password). */
  ready?(): Promise<void>;
  /** A factor on the limits, for now: a Redis store on its per-machine fallback widens them (SLOT_STORE_SPACING). */
  spacing?(): number;
}

/**
 * How much wider requests are spaced while a shared store (Redis) is unreachable and each
 * machine limits itself: up to this many machines on one key stay under the API's limits.
 */
export const SLOT_STORE_SPACING = 3;

export class MemorySlotStore implements SlotStore {
  private readonly state = emptySlots();
  describe(): string {
    return "memory (this process only)";
  }
  update<T>(fn: (s: SlotState) => T): T {
    return fn(this.state);
  }
}

export interface RateLimiterOptions {
  clock?: Clock;
  limits?: Partial<RateLimits>;
  store?: SlotStore;
}

/**
 * Spaces requests so one API key never exceeds the Clore limits. Callers wait for their
 * slot in arrival order; the request itself then runs concurrently with later waiters.
 */
export class RateLimiter {
  readonly clock: Clock;
  readonly limits: RateLimits;
  readonly store: SlotStore;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(options: RateLimiterOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.store = options.store ?? new MemorySlotStore();
  }

  /** Resolves when the store answers (a Redis store connects); rejects with what to fix when a configured store cannot be used. Sends nothing to the API. */
  async ready(): Promise<void> {
    await this.store.ready?.();
  }

  /**
   * Resolves when a request in `lane` may be sent, and records it as sent: call it right
   * before sending. Waits for the promised slot, then re-checks against the real send
   * times (another process may have sent late) and waits again if it must.
   */
  acquire(lane: Lane): Promise<void> {
    const turn = this.tail.then(async () => {
      // One store update when the slot is free now: take it and record the send together.
      let at: number | undefined = await this.store.update((s) => {
        const now = this.clock.now();
        const limits = this.limitsNow();
        const slot = reserveSlot(s, lane, now, limits);
        return slot > now ? slot : commitSend(s, lane, now, limits);
      });
      while (at !== undefined) {
        const wait = at - this.clock.now();
        if (wait > 0) await this.clock.sleep(wait);
        at = await this.store.update((s) => commitSend(s, lane, this.clock.now(), this.limitsNow()));
      }
    });
    this.tail = turn.catch(() => undefined);
    return turn;
  }

  /** The configured limits, times the store's spacing factor when it has one. */
  private limitsNow(): RateLimits {
    const k = this.store.spacing?.() ?? 1;
    if (k === 1) return this.limits;
    return { minIntervalMs: this.limits.minIntervalMs * k, createIntervalMs: this.limits.createIntervalMs * k };
  }

  /**
   * The request `acquire` let through has just been written to the socket, later than it
   * was let through when a connection had to be set up first. Fire and forget: the record
   * only ever moves forward.
   */
  written(lane: Lane): void {
    const now = this.clock.now();
    void Promise.resolve(this.store.update((s) => markWritten(s, lane, now))).catch(() => undefined);
  }

  /** After a 429: hold every lane for `ms`, so other callers do not hit the limit too, and space requests wider for a while. */
  async backOff(ms: number): Promise<void> {
    await this.store.update((s) => slowDown(s, this.clock.now(), ms));
  }
}

/** A short, non-reversible name for a key: safe for file names, logs and cache keys. */
export function keyFingerprint(apiKey: string | undefined): string {
  if (!apiKey) return "anonymous";
  return createHash("sha256").update(apiKey).digest("hex").slice(0, 16);
}

/** A key and an API address as one short name: what the caches and journals on disk are keyed by. */
export function accountId(apiKey: string | undefined, baseUrl: string): string {
  return `${keyFingerprint(apiKey)}-${createHash("sha256").update(baseUrl).digest("hex").slice(0, 12)}`;
}

// Shared across every copy of this package in the process (the program may load two).
const REGISTRY = Symbol.for("pulumi-clore.rate-limiters");
type Registry = Map<string, RateLimiter>;

/**
 * The process-wide limiter for one API key: every client with that key shares it,
 * whatever its options, so N resources never add up to N requests per second.
 */
export function sharedRateLimiter(
  apiKey: string | undefined,
  create: () => RateLimiter = () => new RateLimiter(),
): RateLimiter {
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
