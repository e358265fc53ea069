import { strict as assert } from "node:assert";
import { JobEvents } from "../../provider/job/job-events";
import { runJob } from "../../provider/job";
import {
  EventBus,
  type EventSink,
  FakeClock,
  type LifecycleEvent,
  SshCommandFailedError,
  SshConnectionLostError,
  type SshEndpoint,
} from "../../provider/sdk";

const at: SshEndpoint = { host: "203.0.113.7", port: 22022, user: "root" };
const COMMANDS = ["HF_TOKEN=hf-secret-1 python3 prep.py", "python3 train.py --key sk-secret-2"];

function recorded() {
  const events: LifecycleEvent[] = [];
  const sink: EventSink = { send: (e) => void events.push(e), flush: async () => {}, pending: 0 };
  const job = new JobEvents(new EventBus([sink], { clock: new FakeClock(Date.UTC(2026, 11, 8)) }), "ci-1", COMMANDS);
  return { events, job };
}

describe("job events", () => {
  it("a re-attached command is reconnected; an upload or a command not yet begun is restarted too", () => {
    const { events, job } = recorded();
    job.orderId = 42;
    job.started();
    job.reconnected({ during: COMMANDS[1]!, jobId: "step-x", logBytes: 10, notRun: [] }, 2500, 1);
    job.reconnected({ during: "upload ./train", notRun: COMMANDS }, 900, 2);
    job.reconnected({ during: COMMANDS[0]!, notRun: [COMMANDS[1]!] }, 100, 3);
    assert.deepEqual(
      events.map((e) => [e.kind, "step" in e ? e.step : undefined]),
      [
        ["job.started", undefined],
        ["job.reconnected", "command 2 of 2"],
        ["job.reconnected", "upload"],
        ["job.restarted", "upload"],
        ["job.reconnected", "command 1 of 2"],
        ["job.restarted", "command 1 of 2"],
      ],
    );
    assert.ok(events.every((e) => e.stack === "ci-1" && e.orderId === 42 && e.time === "2026-12-08T00:00:00.000Z"));
  });

  it("a failed command: its position, exit code and error code, never the command or its stderr", () => {
    const { events, job } = recorded();
    job.failed(
      new SshCommandFailedError(at, COMMANDS[1]!, 3, undefined, ["Traceback: sk-secret-2 rejected"]),
      61_234.5,
    );
    assert.deepEqual(events, [
      {
        kind: "job.failed",
        time: "2026-12-08T00:00:00.000Z",
        stack: "ci-1",
        step: "command 2 of 2",
        durationMs: 61_235,
        exitCode: 3,
        error: "CLORE_SSH_COMMAND_FAILED",
        reason: "a command exited with code 3",
      },
    ]);
    assert.ok(!JSON.stringify(events).includes("secret"));
  });

  it("a failure after a lost connection names the step it was lost in, unless the outage was recovered", () => {
    const { events, job } = recorded();
    job.lost({ during: "download out", notRun: [] });
    job.failed(new SshConnectionLostError(at, "download out", 10, [], { transfer: true }), 10);
    job.lost({ during: COMMANDS[0]!, jobId: "j", notRun: [COMMANDS[1]!] });
    job.reconnected({ during: COMMANDS[0]!, jobId: "j", notRun: [COMMANDS[1]!] }, 5, 1);
    job.failed(new SshCommandFailedError(at, COMMANDS[1]!, 1, undefined, []), 10);
    const failed = events.filter((e) => e.kind === "job.failed");
    assert.deepEqual(
      failed.map((e) => ("step" in e ? e.step : undefined)),
      ["download", "command 2 of 2"],
    );
  });

  describe("runJob's events option", () => {
    it("a malformed value throws naming the option, before any stack is touched", async () => {
      await assert.rejects(
        runJob({ workDir: "/nonexistent-project", stackName: "never", commands: ["true"], events: "stdout,slack" }),
        /the events option: expected stdout, file:\/path or an http\(s\):\/\/ webhook URL, comma-separated \(got "slack"\)/,
      );
    });

    it("a malformed CLORE_EVENTS in pulumiEnv throws naming it", async () => {
      await assert.rejects(
        runJob({
          workDir: "/nonexistent-project",
          stackName: "never",
          commands: ["true"],
          pulumiEnv: { CLORE_EVENTS: "file:relative.jsonl" },
        }),
        /CLORE_EVENTS: file sink needs an absolute path/,
      );
    });
  });
});
