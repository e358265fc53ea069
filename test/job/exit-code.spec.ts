import assert from "node:assert/strict";
import { exitCodeFor } from "../../provider/job";
import { JobCleanupError, SshAuthError, SshCommandFailedError, SshConnectionLostError } from "../../provider/sdk";

const at = { host: "127.0.0.1", port: 2222, user: "root" };

describe("job: exitCodeFor", () => {
  const rows: { what: string; error: unknown; code: number }[] = [
    {
      what: "a command that exited 3",
      error: new SshCommandFailedError(at, "python3 train.py", 3, undefined, []),
      code: 3,
    },
    {
      what: "a command killed by SIGKILL (as a shell reports it)",
      error: new SshCommandFailedError(at, "python3 train.py", null, "SIGKILL", []),
      code: 137,
    },
    { what: "a refused login", error: new SshAuthError(at, ["password"]), code: 1 },
    { what: "a lost connection", error: new SshConnectionLostError(at, "python3 train.py", 1000, []), code: 1 },
    {
      what: "a failed destroy after a job that exited 4",
      error: new JobCleanupError("ci-1", "/w", "boom", {
        jobError: new SshCommandFailedError(at, "x", 4, undefined, []),
      }),
      code: 4,
    },
    { what: "a failed destroy after a job that succeeded", error: new JobCleanupError("ci-1", "/w", "boom"), code: 1 },
    { what: "anything else (a failed pulumi up)", error: new Error("up failed"), code: 1 },
  ];
  for (const r of rows) it(`is ${r.code} for ${r.what}`, () => assert.equal(exitCodeFor(r.error), r.code));
});
