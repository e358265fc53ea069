import assert from "node:assert/strict";
import {
  type CloreError,
  JobCleanupError,
  JobInterruptedError,
  JobLostError,
  JobNotFoundError,
  SshAuthError,
  SshCommandFailedError,
  SshCommandTimeoutError,
  SshConnectTimeoutError,
  SshConnectionLostError,
  SshConnectionRefusedError,
  SshHostKeyMismatchError,
  SshTransferError,
  isCloreError,
} from "../../provider/sdk";

const at = { host: "203.0.113.7", port: 22022, user: "root" };
const history = [{ command: "pip install -r requirements.txt", exitCode: 0, durationMs: 900 }];

/** Every SSH failure's whole message: a worse message shows up as a diff. */
const ROWS: { error: CloreError; code: string; message: string }[] = [
  {
    error: new SshAuthError(at, ["password"]),
    code: "CLORE_SSH_AUTH_FAILED",
    message:
      "ssh root@203.0.113.7:22022: the server refused the login (offered: password). Use the sshPassword or sshKey the order was created with: the Clore API never returns them, so take them from where you set them (stack config, a CI secret).",
  },
  {
    error: new SshConnectionRefusedError(at, 12, 30_400),
    code: "CLORE_SSH_CONNECTION_REFUSED",
    message:
      'ssh root@203.0.113.7:22022: connection refused for 30 s (12 attempts). Check that the order is still running ("clore orders") and publishes port 22 (ports: {"22": "tcp"}).',
  },
  {
    error: new SshConnectTimeoutError(at, 40, 120_000, "connection closed before the SSH handshake"),
    code: "CLORE_SSH_CONNECT_TIMEOUT",
    message:
      "ssh root@203.0.113.7:22022: no SSH handshake within 120 s (40 attempts; last: connection closed before the SSH handshake). A fresh server's sshd can start well after its port opens: wait longer (waitMs), or check the image runs sshd.",
  },
  {
    error: new SshHostKeyMismatchError(at, "SHA256:aaa", "SHA256:bbb"),
    code: "CLORE_SSH_HOST_KEY_MISMATCH",
    message:
      'ssh root@203.0.113.7:22022: host key SHA256:bbb is not the trusted SHA256:aaa. Another machine may answer on this address (the order ended and the port was reused?); check "clore orders" before sending anything to it.',
  },
  {
    error: new SshConnectionLostError(at, "python3 train.py --epochs 90", 61_250, history),
    code: "CLORE_SSH_CONNECTION_LOST",
    message:
      'ssh root@203.0.113.7:22022: connection lost after 61.3 s of "python3 train.py --epochs 90". Before it, "pip install -r requirements.txt" exited 0. The command may still be running on the server; its outcome is unknown.',
  },
  {
    error: new SshConnectionLostError(at, "upload ./train", 2_000, [], { transfer: true }),
    code: "CLORE_SSH_CONNECTION_LOST",
    message:
      'ssh root@203.0.113.7:22022: connection lost after 2.0 s of "upload ./train". Nothing had finished before it. The copy is incomplete: copy it again once connected.',
  },
  {
    error: new SshCommandFailedError(at, "python3 train.py\n--epochs 9", 3, undefined, [
      "Traceback (most recent call last):",
      "ValueError: loss is NaN",
    ]),
    code: "CLORE_SSH_COMMAND_FAILED",
    message:
      'ssh root@203.0.113.7:22022: "python3 train.py; --epochs 9" exited with code 3.\nLast lines of stderr:\n  Traceback (most recent call last):\n  ValueError: loss is NaN',
  },
  {
    error: new SshCommandFailedError(at, "x".repeat(100), null, "SIGKILL", []),
    code: "CLORE_SSH_COMMAND_FAILED",
    message: `ssh root@203.0.113.7:22022: "${"x".repeat(77)}..." was killed by signal SIGKILL. It wrote nothing to stderr.`,
  },
  {
    error: new SshCommandTimeoutError(at, "sleep 999", 5000, []),
    code: "CLORE_SSH_COMMAND_TIMEOUT",
    message:
      'ssh root@203.0.113.7:22022: "sleep 999" ran longer than 5000 ms and was killed (its process group got SIGTERM, then SIGKILL). Raise the timeout if the job needs longer. It wrote nothing to stderr.',
  },
  {
    error: new SshTransferError(at, {
      direction: "download",
      localPath: "artifacts/model.bin",
      remotePath: "job/out/model.bin",
      reason: "the copy has 10 bytes, the source 20",
      expectedBytes: 20,
      actualBytes: 10,
    }),
    code: "CLORE_SSH_TRANSFER_FAILED",
    message:
      "ssh root@203.0.113.7:22022: download remote job/out/model.bin → artifacts/model.bin failed: the copy has 10 bytes, the source 20.",
  },
  {
    error: new JobCleanupError("ci-77", "/repo/examples/ci-training", "error: the stack is currently locked"),
    code: "CLORE_JOB_CLEANUP_FAILED",
    message:
      'destroying the job stack "ci-77" failed (error: the stack is currently locked); its server may still bill you. Run "pulumi destroy --yes --stack ci-77" in /repo/examples/ci-training; the scheduled "clore orphans --expired --cancel --yes" cancels it once its ttl has passed.',
  },
  {
    error: new JobNotFoundError(at, "train-20261207T130512Z-a1b2c3"),
    code: "CLORE_JOB_NOT_FOUND",
    message:
      "ssh root@203.0.113.7:22022: no job train-20261207T130512Z-a1b2c3 on this server. Is it the server the job ran on? Its jobs are the directories in ~/.clore/jobs there.",
  },
  {
    error: new JobLostError(at, "train-20261207T130512Z-a1b2c3", 4096),
    code: "CLORE_JOB_LOST",
    message:
      "ssh root@203.0.113.7:22022: job train-20261207T130512Z-a1b2c3 ended without an exit code (killed, or the server restarted); its log was read up to byte 4096. Start it again.",
  },
  {
    error: new JobInterruptedError(at, {
      why: "reconnect-budget",
      detail: "no connection for 300 s (12 attempt(s); last: connection refused)",
      during: "python3 train.py",
      jobId: "step-20261207T130512Z-a1b2c3",
      logBytes: 5120,
      completed: [{ command: "python3 prepare.py", exitCode: 0, durationMs: 1200 }],
      notRun: ["python3 eval.py"],
    }),
    code: "CLORE_JOB_INTERRUPTED",
    message:
      'ssh root@203.0.113.7:22022: "python3 train.py" (job step-20261207T130512Z-a1b2c3, log shown up to byte 5120) did not finish here: no connection for 300 s (12 attempt(s); last: connection refused). Ran: "python3 prepare.py" (exit 0). Lost: the rest of its output and its exit code; it may still be running on the server until the stack is destroyed. Not run: "python3 eval.py". Nothing more was downloaded. Run the job again; if the server was only briefly out of reach, raise the reconnect budget (reconnect.budgetMs).',
  },
  {
    error: new JobInterruptedError(at, {
      why: "order-ended",
      detail: "the order ended (order 41 is listed as ended)",
      during: "python3 train.py",
      jobId: "step-20261207T130512Z-a1b2c3",
      logBytes: 5120,
      completed: [],
      notRun: [],
    }),
    code: "CLORE_JOB_INTERRUPTED",
    message:
      'ssh root@203.0.113.7:22022: "python3 train.py" (job step-20261207T130512Z-a1b2c3, log shown up to byte 5120) did not finish here: the order ended (order 41 is listed as ended). Nothing had finished before it. Lost with the server: the rest of its output, its exit code and its files. Nothing more was downloaded. Run the job again on a new server.',
  },
];

describe("sdk: SSH errors", () => {
  for (const row of ROWS) {
    it(`${row.code}: says what happened and what to do next`, () => {
      assert.ok(isCloreError(row.error));
      assert.deepEqual(
        { code: row.error.code, name: row.error.name, message: row.error.message },
        { code: row.code, name: row.error.constructor.name, message: row.message },
      );
    });
  }

  it("carry their facts as fields, for code that reacts to them", () => {
    const e = new SshCommandFailedError(at, "make", 2, undefined, ["boom"]);
    assert.deepEqual(
      { host: e.host, port: e.port, user: e.user, command: e.command, exitCode: e.exitCode, stderrTail: e.stderrTail },
      { ...at, command: "make", exitCode: 2, stderrTail: ["boom"] },
    );
  });
});
