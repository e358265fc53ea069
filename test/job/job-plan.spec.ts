import assert from "node:assert/strict";
import { JobRecord, newJobRecord, recordPath } from "../../provider/job/job-record";
import { type StepState, statusOf } from "../../provider/job/job-plan";
import type { JobStatus } from "../../provider/job/remote";

const now = Date.UTC(2026, 11, 8, 10, 15, 0);

describe("job record and run state: what `clore job` reads from the server", () => {
  it("a record fixes one distinct job id per command before any starts, and round-trips through its schema", () => {
    const r = newJobRecord({
      stack: "ci-4242-1",
      commands: ["pip install -r req.txt", "python3 train.py"],
      cwd: "job",
      env: { EPOCHS: "3" },
      download: [{ remote: "job/out", local: "artifacts" }],
      detached: true,
      now,
    });
    assert.deepEqual(
      r.steps.map((s) => s.command),
      ["pip install -r req.txt", "python3 train.py"],
    );
    for (const s of r.steps) assert.match(s.jobId, /^step-20261208T101500Z-[0-9a-f]{6}$/);
    assert.notEqual(r.steps[0]!.jobId, r.steps[1]!.jobId);
    assert.deepEqual(JobRecord.parse(JSON.parse(JSON.stringify(r))), r);
    assert.equal(r.createdAt, "2026-12-08T10:15:00.000Z");
  });

  it("a record that is not one (a bad job id, no commands) is refused, not half-read", () => {
    const good = newJobRecord({ stack: "s", commands: ["x"], detached: false, now });
    assert.throws(() => JobRecord.parse({ ...good, steps: [{ command: "x", jobId: "../../etc" }] }), /job id/);
    assert.throws(() => JobRecord.parse({ ...good, steps: [] }));
  });

  it("the record's path is one safe file name per stack, whatever the stack name holds", () => {
    assert.equal(recordPath("ci-4242-1"), ".clore/runs/ci-4242-1.json");
    assert.equal(recordPath("org/proj/ci 1;rm"), ".clore/runs/org_proj_ci_1_rm.json");
  });

  describe("a run's state from its jobs' states", () => {
    const job = (state: JobStatus["state"], exitCode?: number): JobStatus => ({
      id: "x",
      state,
      ...(exitCode !== undefined ? { exitCode } : {}),
      logBytes: 0,
      command: "c",
    });
    const steps = (...st: (JobStatus | undefined)[]): StepState[] =>
      st.map((status, index) => ({ index, command: `c${index}`, jobId: `j${index}`, ...(status ? { status } : {}) }));
    const cases: { name: string; steps: StepState[]; state: string; current: number; exitCode?: number }[] = [
      { name: "first running", steps: steps(job("running"), undefined), state: "running", current: 0 },
      {
        name: "first done, second not started (runner died between)",
        steps: steps(job("exited", 0), undefined),
        state: "pending",
        current: 1,
      },
      { name: "nothing started", steps: steps(undefined, undefined), state: "pending", current: 0 },
      {
        name: "second failed",
        steps: steps(job("exited", 0), job("exited", 3)),
        state: "exited",
        current: 1,
        exitCode: 3,
      },
      {
        name: "first failed: later ones never run",
        steps: steps(job("exited", 137), undefined),
        state: "exited",
        current: 0,
        exitCode: 137,
      },
      { name: "all done", steps: steps(job("exited", 0), job("exited", 0)), state: "exited", current: 1, exitCode: 0 },
      { name: "a job died without exit code", steps: steps(job("exited", 0), job("lost")), state: "lost", current: 1 },
    ];
    for (const c of cases)
      it(c.name, () => {
        const s = statusOf(c.steps);
        assert.deepEqual([s.state, s.current.index, s.exitCode], [c.state, c.current, c.exitCode]);
      });
  });
});
