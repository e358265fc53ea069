import assert from "node:assert/strict";
import { runJob, watchSpendCap } from "../../provider/job";
import { FakeClock } from "../../provider/sdk";

describe("job: the spend cap watch", () => {
  // $24/day = $1/h, read at $0.25 spent.
  const watch = (clock: FakeClock, capUsd: number, reserveMs: number) => {
    const fired: { at: number; spentUsd: number }[] = [];
    const w = watchSpendCap({
      capUsd,
      spentUsd: 0.25,
      usdPerDay: 24,
      readAtMs: clock.now(),
      reserveMs,
      clock,
      onCap: (spentUsd) => fired.push({ at: clock.now(), spentUsd }),
    });
    return { w, fired };
  };

  it("fires once, the reserve before the estimate would reach the cap, by arithmetic on the clock", async () => {
    const clock = new FakeClock();
    const t0 = clock.now();
    const { w, fired } = watch(clock, 1.25, 600_000);
    await w.done;
    assert.equal(fired.length, 1);
    assert.equal(fired[0]!.at - t0, 3_000_000); // 1 h to the cap, less 10 min
    assert.ok(Math.abs(fired[0]!.spentUsd - (0.25 + 50 / 60)) < 1e-9);
    assert.ok(fired[0]!.spentUsd < 1.25);
    // Nothing but the clock: at most one look per second.
    assert.ok(clock.sleeps.every((ms) => ms <= 1000));
  });

  it("fires at once when the spend is within the reserve of the cap already", async () => {
    const clock = new FakeClock();
    const { w, fired } = watch(clock, 0.3, 600_000);
    await w.done;
    assert.deepEqual(fired, [{ at: clock.now(), spentUsd: 0.25 }]);
    assert.deepEqual(clock.sleeps, []);
  });

  it("never fires once stopped (the job finished under the cap)", async () => {
    const clock = new FakeClock();
    const { w, fired } = watch(clock, 100, 0);
    w.stop();
    await w.done;
    assert.deepEqual(fired, []);
    assert.ok(clock.now() - 1_700_000_000_000 <= 1000);
  });

  it("estimates the spend so far from the price: $1/h for the time since the read", () => {
    const clock = new FakeClock();
    const t0 = clock.now();
    const { w } = watch(clock, 100, 0);
    w.stop();
    clock.advance(1_800_000);
    assert.ok(Math.abs(w.spentUsd() - (0.25 + (clock.now() - t0) / 3_600_000)) < 1e-12);
    assert.ok(w.spentUsd() >= 0.75);
  });

  it("runJob refuses a cap that is not a positive number before anything runs", async () => {
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      const e = await runJob({
        workDir: "/nonexistent",
        stackName: "bad-cap",
        commands: ["true"],
        spendCapUsd: bad,
      }).catch((x: unknown) => x);
      assert.equal((e as { code?: string }).code, "CLORE_VALIDATION_FAILED");
      assert.match((e as Error).message, /^runJob: spendCapUsd: must be a positive number of US dollars \(got /);
    }
  });
});
