import { strict as assert } from "node:assert";
import {
  CloreClient,
  FakeClock,
  MemorySlotStore,
  RateLimiter,
  SLOT_STORE_SPACING,
  type SlotState,
  type SlotStore,
  chooseSlotStore,
  describeSlotStore,
  redactUrl,
  slotStoreSetting,
  systemClock,
} from "../../provider/sdk";
import { uniqueKey } from "../helpers/fake-transport";

/** A store that can be switched to "on its fallback", as a Redis store is while Redis is unreachable. */
class SwitchableStore implements SlotStore {
  private readonly inner = new MemorySlotStore();
  fallback = false;
  update<T>(fn: (s: SlotState) => T): T {
    return this.inner.update(fn);
  }
  spacing(): number {
    return this.fallback ? SLOT_STORE_SPACING : 1;
  }
}

describe("slot stores", () => {
  it("while a shared store is on its per-machine fallback, requests are spaced SLOT_STORE_SPACING times wider, and normally again after", async () => {
    const clock = new FakeClock();
    const store = new SwitchableStore();
    const limiter = new RateLimiter({ clock, limits: { minIntervalMs: 1000, createIntervalMs: 5000 }, store });
    const sent: number[] = [];
    const send = async () => {
      await limiter.acquire("general");
      sent.push(clock.now());
    };
    await send();
    await send();
    store.fallback = true;
    await send();
    await send();
    store.fallback = false;
    await send(); // The slot promised while on the fallback is kept…
    await send(); // …then the normal spacing.
    const gaps = sent.slice(1).map((t, i) => t - sent[i]!);
    assert.deepEqual(gaps, [1000, 3000, 3000, 3000, 1000]);
  });

  it("the setting comes from the option (named by its source), else CLORE_RATE_LIMIT_STORE", () => {
    assert.deepEqual(
      slotStoreSetting({ value: "memory", source: "clore:rateLimitStore" }, { CLORE_RATE_LIMIT_STORE: "file" }),
      {
        value: "memory",
        source: "clore:rateLimitStore",
      },
    );
    assert.deepEqual(slotStoreSetting(undefined, { CLORE_RATE_LIMIT_STORE: "redis://h:6379" }), {
      value: "redis://h:6379",
      source: "CLORE_RATE_LIMIT_STORE",
    });
    assert.equal(slotStoreSetting(undefined, {}), undefined);
  });

  it("a value that is neither file, memory nor a redis:// / rediss:// URL fails naming the setting, without echoing a password", () => {
    for (const value of ["http://h:6379", "redis//h", "reddis://:pw@h:6379", "rediss://"])
      assert.throws(
        () => chooseSlotStore("k", systemClock, { value, source: "clore:rateLimitStore" }),
        (e: Error) => {
          assert.match(e.message, /clore:rateLimitStore: expected "file", "memory" or a Redis URL/);
          assert.doesNotMatch(e.message, /:pw@/);
          return true;
        },
      );
    assert.throws(
      () => new CloreClient({ apiKey: uniqueKey("store"), env: { CLORE_RATE_LIMIT_STORE: "redis:/oops" } }),
      /CLORE_RATE_LIMIT_STORE: expected/,
    );
  });

  it("memory keeps the limits in the process; a fake clock always does", () => {
    assert.equal(chooseSlotStore("k", systemClock, { value: "memory", source: "x" }), undefined);
    assert.equal(chooseSlotStore("k", new FakeClock(), { value: "redis://h:6379", source: "x" }), undefined);
  });

  it("says which store is in use, with a Redis password shown as ***", () => {
    assert.equal(redactUrl("rediss://user:s3cret@redis.example:6380/1"), "rediss://user:***@redis.example:6380/1");
    assert.equal(redactUrl("redis://:s3cret@h:6379"), "redis://:***@h:6379");
    assert.equal(redactUrl("redis://h:6379"), "redis://h:6379");
    assert.match(
      describeSlotStore({ value: "redis://:s3cret@h:6379", source: "x" }, {}),
      /^redis redis:\/\/:\*\*\*@h:6379 /,
    );
    assert.match(describeSlotStore(undefined, {}), /^file ledger/);
    assert.match(describeSlotStore(undefined, { CLORE_RATE_LIMIT_SHARED: "0" }), /^memory/);
  });
});
