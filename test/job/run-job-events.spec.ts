import { strict as assert } from "node:assert";
import { runJob } from "../../provider/job";

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
