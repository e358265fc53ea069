import { ValidationError } from "../errors";
import { type SlotStore, SLOT_STORE_SPACING } from "./rate-limiter";
import { type SlotState, slotsFrom } from "./rate-slots";

/** How long one Redis command may take before the store counts Redis as unreachable. */
const COMMAND_TIMEOUT_MS = 500;
/** TIME round trips measured at each connect; the fastest gives the clock offset. */
const OFFSET_SAMPLES = 5;
/** While on the fallback, how often an update tries Redis again. */
const RETRY_EVERY_MS = 2000;
/** A key's record outlives its last use by this long, then Redis drops it. */
const RECORD_TTL_MS = 15 * 60_000;
/** Optimistic updates that lost to another writer this many times in a row count as an outage. */
const MAX_CONFLICTS = 50;

/**
 * The one atomic step: set the key's record to ARGV[2] only if it still holds ARGV[1]
 * (what the caller read), else hand back what it holds now. The arithmetic stays in
 * rate-slots.ts: each process applies it to the record it read and this script makes the
 * write all-or-nothing, so two machines never both take one slot.
 */
const COMPARE_AND_SET = `
local current = redis.call('GET', KEYS[1]) or ''
if current ~= ARGV[1] then return {0, current} end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return {1, ARGV[2]}`;

/** Where a store setting came from, named in every error about it. */
export interface StoreSetting {
  value: string;
  /** e.g. "CLORE_RATE_LIMIT_STORE", "clore:rateLimitStore", "the rateLimitStore option". */
  source: string;
}

/** A `redis://` / `rediss://` URL, checked; the error names the setting and never echoes a password. */
export function parseRedisUrl(setting: StoreSetting): URL {
  let url: URL | undefined;
  try {
    url = new URL(setting.value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "redis:" && url.protocol !== "rediss:") || !url.hostname)
    throw new ValidationError("rate-limit store", [
      {
        path: setting.source,
        message: `expected "file", "memory" or a Redis URL like redis://[user:password@]host:6379[/db] (rediss:// for TLS), got ${JSON.stringify(redactUrl(setting.value))}`,
      },
    ]);
  return url;
}

/** The URL with any password replaced by ***: what logs and `clore config` show. */
export function redactUrl(value: string): string {
  return value.replace(/^(\w+:\/\/[^:@/]*:)[^@/]*@/, "$1***@");
}

/** The parts of ioredis the store uses (loaded only when a Redis URL is configured). */
interface RedisConnection {
  status: string;
  stream?: { unref?(): void };
  connect(): Promise<void>;
  disconnect(): void;
  on(event: "error", fn: (e: Error) => void): void;
  on(event: "ready", fn: () => void): void;
  get(key: string): Promise<string | null>;
  time(): Promise<[string, string]>;
  eval(script: string, keys: number, ...args: (string | number)[]): Promise<unknown>;
}
type RedisClass = new (url: string, options: Record<string, unknown>) => RedisConnection;

function loadRedis(setting: StoreSetting): RedisClass {
  try {
    // Loaded only here, so the SDK works without the optional dependency installed.
    const mod = require("ioredis") as { default?: RedisClass } & RedisClass;
    return mod.default ?? mod;
  } catch {
    throw new ValidationError("rate-limit store", [
      {
        path: setting.source,
        message: "is a Redis URL but the Redis client is not installed: run `npm install ioredis` next to pulumi-clore",
      },
    ]);
  }
}

export interface RedisSlotStoreOptions {
  /** The per-machine store to use while Redis is unreachable. */
  fallback: () => SlotStore;
  /** Where the store says it switched (once per outage). Default: stderr. */
  notice?: (message: string) => void;
  now?: () => number;
}

/**
 * A slot store in Redis, so every machine using one key shares its 1 request/s and
 * 1 create/5 s: the record of rate-slots.ts under `clore:rate-slots:<fingerprint>` (a hash
 * of the key, never the key), written by one compare-and-set script. Times in the record
 * are Redis's clock (TIME), so machines whose clocks disagree still space correctly.
 *
 * Redis must answer at first use: a mistyped URL or a wrong password fails the first call,
 * before any request is sent, naming the setting. Once it has answered, an outage (down,
 * network cut, auth lost) never fails or stalls the caller: updates go to the per-machine
 * fallback with SLOT_STORE_SPACING × the spacing, one notice says so, and Redis is tried again
 * every few seconds and used as soon as it answers.
 */
export class RedisSlotStore implements SlotStore {
  private readonly key: string;
  private readonly url: string;
  private readonly Redis: RedisClass;
  private readonly notice: (message: string) => void;
  private readonly now: () => number;
  private readonly fallbackOf: () => SlotStore;
  private fallbackStore?: SlotStore;
  private conn?: RedisConnection;
  /** Redis's clock minus ours, ms (measured at each connect). */
  private offset = 0;
  private lastRaw = "";
  private started?: Promise<void>;
  private onFallback = false;
  private retryAt = 0;
  private retrying?: Promise<void>;
  /** What the store we just left knew (local time): merged into the next record we write, so a switch never forgets a recent send. */
  private carried?: SlotState;

  constructor(
    fingerprint: string,
    private readonly setting: StoreSetting,
    options: RedisSlotStoreOptions,
  ) {
    parseRedisUrl(setting);
    this.url = setting.value;
    this.Redis = loadRedis(setting);
    this.key = `clore:rate-slots:${fingerprint}`;
    this.fallbackOf = options.fallback;
    this.notice = options.notice ?? ((m) => void process.stderr.write(`warning: ${m}\n`));
    this.now = options.now ?? Date.now;
  }

  get kind(): "redis" {
    return "redis";
  }

  describe(): string {
    return `redis ${redactUrl(this.url)} (from ${this.setting.source})${this.onFallback ? ", unreachable: on this machine's file ledger for now" : ""}`;
  }

  /** While on the fallback, the spacing is wider: other machines on the key may be on theirs too. */
  spacing(): number {
    return this.onFallback ? SLOT_STORE_SPACING : 1;
  }

  ready(): Promise<void> {
    this.started ??= this.start();
    return this.started;
  }

  async update<T>(fn: (s: SlotState) => T): Promise<T> {
    await this.ready();
    if (this.onFallback) {
      if (this.now() >= this.retryAt) this.retrying ??= this.retry().finally(() => (this.retrying = undefined));
      await this.retrying;
    }
    if (!this.onFallback) {
      try {
        return await this.casUpdate(this.carrying(fn));
      } catch (e) {
        this.fallBack(e);
      }
    }
    return this.fallback().update(this.carrying(fn));
  }

  private fallback(): SlotStore {
    this.fallbackStore ??= this.fallbackOf();
    return this.fallbackStore;
  }

  /** `fn`, after merging in what the store we switched from knew (once). */
  private carrying<T>(fn: (s: SlotState) => T): (s: SlotState) => T {
    const carried = this.carried;
    if (!carried) return fn;
    return (s) => {
      for (const k of Object.keys(s) as (keyof SlotState)[]) s[k] = Math.max(s[k], carried[k]);
      this.carried = undefined;
      return fn(s);
    };
  }

  /** Close the connection (tests; a process exits without it, the socket does not hold it open). */
  close(): void {
    this.conn?.disconnect();
    this.conn = undefined;
  }

  /** First use: Redis must answer, or the setting is wrong; nothing is sent to the API before. */
  private async start(): Promise<void> {
    try {
      await this.connect();
    } catch (e) {
      throw new ValidationError("rate-limit store", [
        {
          path: this.setting.source,
          message: `cannot use Redis at ${redactUrl(this.url)}: ${reason(e)}. Check the URL and password (or unset the setting to keep the limits per machine)`,
        },
      ]);
    }
  }

  private async connect(): Promise<void> {
    this.conn?.disconnect();
    let lastError: Error | undefined;
    const conn = new this.Redis(this.url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 1000,
      commandTimeout: COMMAND_TIMEOUT_MS,
      // No background reconnects: `retry` reconnects on the next update, so nothing keeps the process alive.
      retryStrategy: () => null,
      reconnectOnError: () => false,
    });
    conn.on("error", (e) => {
      lastError = e;
    });
    // The socket never holds the process open; each command's own timer does while it is pending.
    conn.on("ready", () => conn.stream?.unref?.());
    this.conn = conn;
    try {
      await withTimeout(conn.connect(), 1500);
      this.offset = await this.clockOffset(conn);
      this.lastRaw = (await withTimeout(conn.get(this.key), COMMAND_TIMEOUT_MS)) ?? "";
    } catch (e) {
      conn.disconnect();
      if (this.conn === conn) this.conn = undefined;
      throw lastError && !/closed/i.test(lastError.message) ? lastError : (lastError ?? e);
    }
  }

  /**
   * Redis's clock minus ours, from the TIME sample with the shortest round trip of a few (its
   * error is at most half that round trip: a slow sample on a busy machine would eat the
   * limiter's margin).
   */
  private async clockOffset(conn: RedisConnection): Promise<number> {
    let best = { rtt: Number.POSITIVE_INFINITY, offset: 0 };
    for (let n = 0; n < OFFSET_SAMPLES; n++) {
      const before = performance.now();
      const at = this.now();
      const [s, us] = await withTimeout(conn.time(), COMMAND_TIMEOUT_MS);
      const rtt = performance.now() - before;
      const redisMs = Number(s) * 1000 + Number(us) / 1000;
      if (rtt < best.rtt) best = { rtt, offset: Math.round(redisMs - (at + rtt / 2)) };
    }
    return best.offset;
  }

  private async retry(): Promise<void> {
    try {
      await this.connect();
      this.carried = await this.fallback().update((s) => ({ ...s }));
      this.onFallback = false;
      this.notice(`rate-limit store: Redis at ${redactUrl(this.url)} answers again; the key's limits are shared again`);
    } catch {
      this.retryAt = this.now() + RETRY_EVERY_MS;
    }
  }

  private fallBack(e: unknown): void {
    // Concurrent updates see one outage together: it is switched (and said) once.
    if (this.onFallback) return;
    this.onFallback = true;
    this.carried = shift(slotsFrom(parseRecord(this.lastRaw)), -this.offset);
    this.retryAt = this.now() + RETRY_EVERY_MS;
    this.close();
    this.notice(
      `rate-limit store: Redis at ${redactUrl(this.url)} is unreachable (${reason(e)}); limiting on this machine only, ${SLOT_STORE_SPACING}× wider, until it answers again`,
    );
  }

  /** Read (the last value seen), apply `fn` in Redis's time, write back if nobody wrote meanwhile; else again. */
  private async casUpdate<T>(fn: (s: SlotState) => T): Promise<T> {
    const conn = this.conn;
    if (conn?.status !== "ready") throw new Error("connection closed");
    for (let conflicts = 0; conflicts < MAX_CONFLICTS; conflicts++) {
      const s = shift(slotsFrom(parseRecord(this.lastRaw)), -this.offset);
      const result = fn(s);
      const next = JSON.stringify(shift(s, this.offset));
      const [ok, current] = (await withTimeout(
        conn.eval(COMPARE_AND_SET, 1, this.key, this.lastRaw, next, RECORD_TTL_MS),
        COMMAND_TIMEOUT_MS,
      )) as [number, string];
      this.lastRaw = current;
      if (ok === 1) return result;
    }
    throw new Error(`${MAX_CONFLICTS} writers in a row changed the record first`);
  }
}

function parseRecord(raw: string): unknown {
  try {
    return raw ? JSON.parse(raw) : undefined;
  } catch {
    return undefined; // Not ours or damaged: start from zero, as the file ledger does.
  }
}

/** The record with every time moved by `ms` (0 = never stays 0). */
function shift(s: SlotState, ms: number): SlotState {
  const out = { ...s };
  for (const k of ["nextAny", "nextCreate", "sentAny", "sentCreate", "heldUntil", "slowedAt"] as const)
    if (out[k]) out[k] += ms;
  return out;
}

function reason(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  if (/Stream isn't writeable|connection (is )?closed/i.test(msg)) return "connection lost";
  return redactUrl(msg).split("\n")[0]!.replace(/\.+$/, "");
}

/** A timer of our own as well as ioredis's: it keeps the process alive while a command is pending, and bounds every wait. */
function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
