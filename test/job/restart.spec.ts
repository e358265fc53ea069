import assert from "node:assert/strict";
import { RestartLedger, parseRestartPolicy, restartKind } from "../../provider/job/restart";
import { exitCodeFor } from "../../provider/job";
import { FakeClock, JobInterruptedError, JobRestartsSpentError, SshCommandFailedError } from "../../provider/sdk";

const AT = { host: "127.0.0.1", port: 2222, user: "root" };
const interrupted = (why: "order-ended" | "reconnect-budget") =>
  new JobInterruptedError(AT, { why, detail: why, during: "python3 train.py", completed: [], notRun: [] });
const exited = (code: number) => new SshCommandFailedError(AT, "python3 train.py", code, undefined, []);
const MIN = 60_000;

describe("runJob's restart policy", () => {
  it("defaults: no restart for a lost server, no exit code restarts, 3 per hour", () => {
    assert.deepEqual(parseRestartPolicy(undefined), {
      onServerLost: 0,
      onExitCodes: [],
      budget: { max: 3, windowMs: 3_600_000 },
    });
  });

  it("bad input fails naming the field", () => {
    assert.throws(() => parseRestartPolicy({ onServerLost: -1 }), /restart\.onServerLost/);
    assert.throws(() => parseRestartPolicy({ onExitCodes: [0] }), /restart\.onExitCodes\[0\]/);
    assert.throws(() => parseRestartPolicy({ budget: { max: 1 } }), /restart\.budget\.windowMs/);
    assert.throws(() => parseRestartPolicy({ onServerlost: 1 }), /restart\.onServerlost: is not a known field/);
  });

  it("only the API saying the order ended, or a listed exit code, asks for a restart; an unreachable server never does", () => {
    const p = parseRestartPolicy({ onServerLost: 5, onExitCodes: [75] });
    assert.equal(restartKind(interrupted("order-ended"), p), "server-lost");
    assert.equal(restartKind(exited(75), p), "exit-code");
    assert.equal(restartKind(interrupted("reconnect-budget"), p), undefined);
    assert.equal(restartKind(exited(1), p), undefined);
    assert.equal(restartKind(new Error("anything else"), p), undefined);
  });

  it("without onServerLost a lost server fails the job with its own error, as before", () => {
    const e = interrupted("order-ended");
    assert.deepEqual(new RestartLedger(parseRestartPolicy(undefined)).next(e, 1, 10), { error: e });
  });

  it("restarts for a lost server up to onServerLost, then a clear error carrying the last failure", () => {
    const ledger = new RestartLedger(parseRestartPolicy({ onServerLost: 2 }), new FakeClock());
    assert.ok("restart" in ledger.next(interrupted("order-ended"), 1, 10));
    assert.ok("restart" in ledger.next(interrupted("order-ended"), 2, 11));
    const r = ledger.next(interrupted("order-ended"), 3, 12);
    assert.ok("error" in r && r.error instanceof JobRestartsSpentError);
    assert.match(
      (r.error as Error).message,
      /not restarted after attempt 3: its server was lost and all 2 restart\(s\) of restart\.onServerLost are spent/,
    );
    assert.deepEqual(
      ledger.restarts.map((x) => [x.attempt, x.kind, x.orderId]),
      [
        [1, "server-lost", 10],
        [2, "server-lost", 11],
      ],
    );
  });

  it("a failure that is no reason to restart is thrown as it is and counts nothing", () => {
    const ledger = new RestartLedger(parseRestartPolicy({ onServerLost: 1, budget: { max: 1, windowMs: MIN } }));
    const e = interrupted("reconnect-budget");
    for (let i = 0; i < 25; i++) assert.deepEqual(ledger.next(e, 1, 10), { error: e });
    assert.deepEqual(ledger.restarts, []);
    assert.ok("restart" in ledger.next(interrupted("order-ended"), 1, 10), "the budget is untouched");
  });

  it("the budget is a sliding window: spent within it, available again once restarts leave it", () => {
    const clock = new FakeClock();
    const ledger = new RestartLedger(
      parseRestartPolicy({ onExitCodes: [75], budget: { max: 2, windowMs: 10 * MIN } }),
      clock,
    );
    assert.ok("restart" in ledger.next(exited(75), 1, 1));
    clock.advance(4 * MIN);
    assert.ok("restart" in ledger.next(exited(75), 2, 1));
    clock.advance(4 * MIN);
    const spent = ledger.next(exited(75), 3, 1);
    assert.ok("error" in spent);
    assert.match((spent.error as Error).message, /restart budget is spent \(2 restart\(s\) in the last 600 s/);
    assert.equal(exitCodeFor(spent.error), 75, "the script exits with the command's code");
    clock.advance(2 * MIN); // the first restart is 10 min old now
    assert.ok("restart" in ledger.next(exited(75), 3, 1));
  });
});
