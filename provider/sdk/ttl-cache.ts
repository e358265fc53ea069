import type { Clock } from "./clock";

/** An answer and when the request that produced it was sent (ms on the cache's clock). */
export interface Timed<V> {
  value: V;
  sentAt: number;
}

/**
 * Somewhere answers outlive the process: the program's marketplace answers are kept on disk,
 * so `pulumi preview` and `pulumi up` a minute apart cost one API call.
 */
export interface CacheStore {
  read(key: string): Timed<unknown> | undefined;
  write(key: string, answer: Timed<unknown>): void;
}

interface Entry {
  answer: Promise<Timed<unknown>>;
  /** Undefined while the request waits for its rate-limit slot. */
  sentAt?: number;
}

/**
 * The one cache for reads the package repeats (my_orders polls, marketplace snapshots,
 * renter_fees): answers keyed by endpoint and query, on the SDK's Clock.
 *
 * - A caller that arrives while a request for the key is still waiting for its rate-limit
 *   slot shares it (single-flight): N orders polling at once cost one call.
 * - With `maxAgeMs`, an answer whose request was sent at most that long ago is reused, even
 *   while it is still in flight (refresh of N orders costs one call). Age counts from the
 *   send, so an answer from before a write is never mistaken for one after it.
 * - `invalidate` drops answers already sent (a write made them stale); waiting requests stay
 *   shared, since they go out after the write.
 * - A store, if given, serves and keeps the answers of `persist` reads across processes.
 */
export class TtlCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly clock: Clock,
    private readonly store?: CacheStore,
  ) {}

  /** The cached answer for `key`, or `load`'s; `load` calls `sent()` when its request leaves. */
  get<V>(
    key: string,
    maxAgeMs: number,
    load: (sent: () => void) => Promise<Timed<V>>,
    persist = false,
  ): Promise<Timed<V>> {
    const store = persist ? this.store : undefined;
    const now = this.clock.now();
    const hit = this.entries.get(key);
    if (hit && (hit.sentAt === undefined || (maxAgeMs > 0 && now - hit.sentAt <= maxAgeMs)))
      return hit.answer as Promise<Timed<V>>;
    const stored = maxAgeMs > 0 ? store?.read(key) : undefined;
    if (stored && now - stored.sentAt <= maxAgeMs && stored.sentAt <= now) {
      this.entries.set(key, { answer: Promise.resolve(stored), sentAt: stored.sentAt });
      return Promise.resolve(stored as Timed<V>);
    }
    const entry: Entry = { answer: Promise.resolve(undefined as never) };
    entry.answer = load(() => (entry.sentAt ??= this.clock.now())).then(
      (answer) => {
        store?.write(key, answer);
        return answer;
      },
      (e) => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
        throw e;
      },
    );
    this.entries.set(key, entry);
    return entry.answer as Promise<Timed<V>>;
  }

  /** Forget sent answers whose key starts with `prefix` (all of them without one). */
  invalidate(prefix = ""): void {
    for (const [key, entry] of this.entries)
      if (key.startsWith(prefix) && entry.sentAt !== undefined) this.entries.delete(key);
  }
}
