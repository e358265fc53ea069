import { strict as assert } from "node:assert";
import {
  SLOWDOWN_RESET_MS,
  commitSend,
  effectiveLimits,
  emptySlots,
  reserveSlot,
  slotsFrom,
  slowDown,
} from "../../provider/sdk/limiter/rate-slots";

const LIMITS = { minIntervalMs: 1000, createIntervalMs: 5000 };

describe("rate slots (the limiter's bookkeeping)", () => {
  it("spaces the next request from a late real send, not from the slot that sender was promised", () => {
    const s = emptySlots();
    const t0 = 1_000_000;
    assert.equal(reserveSlot(s, "general", t0, LIMITS), t0);
    assert.equal(commitSend(s, "general", t0, LIMITS), undefined);
    // Two waiters (say, in two processes) are promised the next two slots...
    assert.equal(reserveSlot(s, "general", t0, LIMITS), t0 + 1000);
    assert.equal(reserveSlot(s, "general", t0, LIMITS), t0 + 2000);
    // ...the first wakes 30 ms late and sends then...
    assert.equal(commitSend(s, "general", t0 + 1030, LIMITS), undefined);
    // ...so the second, on time for its slot, must wait until 1 s after that real send.
    assert.equal(commitSend(s, "general", t0 + 2000, LIMITS), t0 + 2030);
    assert.equal(commitSend(s, "general", t0 + 2030, LIMITS), undefined);
  });

  it("keeps create_order 5 s apart by real send time, and every request 1 s after a create", () => {
    const s = emptySlots();
    assert.equal(commitSend(s, "create", 10_000, LIMITS), undefined);
    assert.equal(commitSend(s, "general", 10_999, LIMITS), 11_000);
    assert.equal(commitSend(s, "general", 11_000, LIMITS), undefined);
    assert.equal(commitSend(s, "create", 12_000, LIMITS), 15_000);
    assert.equal(reserveSlot(s, "create", 12_000, LIMITS), 15_000);
  });

  it("after a 429 holds everyone for the backoff and widens the spacing 2.5, 5, 10, then at most 20 %", () => {
    const s = emptySlots();
    commitSend(s, "general", 0, LIMITS);
    slowDown(s, 100, 1000);
    assert.equal(commitSend(s, "general", 1050, LIMITS), 1100, "held for the 1 s backoff");
    const widths = [effectiveLimits(s, LIMITS, 200).minIntervalMs];
    for (let i = 0; i < 4; i++) {
      slowDown(s, 200, 0);
      widths.push(effectiveLimits(s, LIMITS, 200).minIntervalMs);
    }
    assert.deepEqual(widths, [1025, 1050, 1100, 1200, 1200]);
    assert.equal(effectiveLimits(s, LIMITS, 200).createIntervalMs, 6000);
  });

  it("drops the slowdown after five quiet minutes, and starts again from 2.5 % at the next 429", () => {
    const s = emptySlots();
    slowDown(s, 0, 0);
    slowDown(s, 0, 0);
    assert.equal(effectiveLimits(s, LIMITS, SLOWDOWN_RESET_MS).minIntervalMs, 1050);
    assert.equal(effectiveLimits(s, LIMITS, SLOWDOWN_RESET_MS + 1).minIntervalMs, 1000);
    slowDown(s, SLOWDOWN_RESET_MS + 1, 0);
    assert.equal(effectiveLimits(s, LIMITS, SLOWDOWN_RESET_MS + 1).minIntervalMs, 1025);
  });

  it("reads a ledger file written by an older version (or a torn one) without failing", () => {
    assert.deepEqual(slotsFrom({ nextAny: 5, nextCreate: 7 }), { ...emptySlots(), nextAny: 5, nextCreate: 7 });
    assert.deepEqual(slotsFrom({ sentAny: "garbage", slowdown: null }), emptySlots());
    assert.deepEqual(slotsFrom("not an object"), emptySlots());
  });
});
