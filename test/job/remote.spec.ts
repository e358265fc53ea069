import assert from "node:assert/strict";
import { JobConnection } from "../../provider/job";
import {
  JobId,
  LogReader,
  type LogLine,
  attachScript,
  jobDir,
  newJobId,
  parseStatus,
  startScript,
  stopScript,
} from "../../provider/job/remote";
import {
  FakeClock,
  SshConnectTimeoutError,
  SshConnectionLostError,
  SshHostKeyMismatchError,
  type SshEndpoint,
} from "../../provider/sdk";
import type { SshSession } from "../../provider/ssh";

const at: SshEndpoint = { host: "203.0.113.7", port: 22022, user: "root" };

describe("job/remote: ids, scripts and log offsets", () => {
  it("a job id is printable, sortable by start, names the job when asked, and is checked where it is used", () => {
    const t = Date.UTC(2026, 11, 7, 13, 5, 12);
    assert.match(newJobId(t), /^20261207T130512Z-[0-9a-f]{6}$/);
    assert.match(newJobId(t, "Train Run #2!"), /^train-run-2-20261207T130512Z-[0-9a-f]{6}$/);
    assert.match(newJobId(t, "---"), /^20261207T130512Z-/);
    assert.ok(newJobId(t) < newJobId(t + 1000));
    assert.ok(JobId.safeParse(newJobId(t, "x".repeat(80))).success);
    for (const bad of ["../x", "a b", "20261207T130512Z-a1b2c3; rm -rf ~", ""])
      assert.throws(() => jobDir(bad), /must be a job id as startJob prints it/);
    assert.throws(() => attachScript("nope", 0), /must be a job id/);
  });

  it("the start script quotes the command, cwd and env values of any content, and refuses a bad env name", () => {
    const id = newJobId(0);
    const script = startScript(id, { command: "echo 'it''s' $HOME", cwd: "my dir", env: { A: "x'; rm -rf /; '" } });
    assert.ok(script.includes(`printf '%s' 'echo '\\''it'\\'''\\''s'\\'' $HOME' > command`));
    assert.ok(script.includes("setsid /bin/sh run.sh < /dev/null > /dev/null 2>&1 &"));
    assert.ok(!script.includes("rm -rf /; '\n"), "an env value is never left unquoted");
    assert.throws(() => startScript(id, { command: "x", env: { "1BAD": "v" } }), /env\.1BAD/);
  });

  it("attach and stop scripts take only what they can use", () => {
    const id = newJobId(0);
    assert.throws(() => attachScript(id, -1), /offset must be a byte offset/);
    assert.throws(() => attachScript(id, 1.5), /offset must be a byte offset/);
    assert.match(attachScript(id, 1234), /off=1234;/);
    assert.match(stopScript(id, 2), /\$i -lt 20 \]/);
  });

  it("LogReader hands out whole lines with their stream and end offset, whatever the chunking", () => {
    const log = Buffer.from("o first\ne oops\no héllo wörld\r\no partial");
    const whole: LogLine[] = [];
    new LogReader(0, (l) => whole.push(l)).push(log);
    assert.deepEqual(whole, [
      { stream: "stdout", text: "first", endOffset: 8 },
      { stream: "stderr", text: "oops", endOffset: 15 },
      { stream: "stdout", text: "héllo wörld", endOffset: 32 },
    ]);
    // Byte by byte (a multi-byte character split too): the same lines, the partial held back.
    const bytewise: LogLine[] = [];
    const r = new LogReader(0, (l) => bytewise.push(l));
    for (const b of log) r.push(Buffer.from([b]));
    assert.deepEqual(bytewise, whole);
    assert.equal(r.offset, 32);
    assert.equal(r.held, log.length - 32);
  });

  it("resuming from a line's end offset gives the rest with no gap and no duplicate", () => {
    const log = Buffer.from(Array.from({ length: 50 }, (_, i) => `${i % 3 ? "o" : "e"} line ${i}\n`).join(""));
    for (const cut of [0, 1, 7, 100, 333, log.length - 1]) {
      const seen: string[] = [];
      const first = new LogReader(0, (l) => seen.push(l.text));
      first.push(log.subarray(0, cut)); // the connection drops after `cut` bytes
      const second = new LogReader(first.offset, (l) => seen.push(l.text));
      second.push(log.subarray(first.offset));
      assert.deepEqual(
        seen,
        Array.from({ length: 50 }, (_, i) => `line ${i}`),
        `cut at ${cut}`,
      );
    }
  });

  it("parseStatus: running, exited and lost, times in ms, several jobs", () => {
    const text = [
      "id=a-20261207T130512Z-aaaaaa",
      "pid=41",
      "pgid=41",
      "started=1796648657",
      "ended=",
      "exit=",
      "bytes=120",
      "alive=1",
      "command=python3 train.py",
      "end",
      "id=20261207T130513Z-bbbbbb",
      "pid=42",
      "started=1796648658",
      "ended=1796648660",
      "exit=3",
      "bytes=9",
      "alive=0",
      "command=false",
      "end",
      "id=20261207T130514Z-cccccc",
      "pid=43",
      "exit=",
      "bytes=",
      "alive=0",
      "command=sleep 9",
      "end",
    ].join("\n");
    const [a, b, c] = parseStatus(text);
    assert.deepEqual(a, {
      id: "a-20261207T130512Z-aaaaaa",
      state: "running",
      exitCode: undefined,
      pid: 41,
      startedAt: 1796648657000,
      endedAt: undefined,
      logBytes: 120,
      command: "python3 train.py",
    });
    assert.deepEqual([b!.state, b!.exitCode, b!.endedAt], ["exited", 3, 1796648660000]);
    assert.deepEqual([c!.state, c!.logBytes], ["lost", 0]);
    assert.deepEqual(parseStatus(""), []);
  });
});

/** A session whose every run fails as a lost connection (after `ok` runs succeed). */
function fakeSession(name: string, runs: string[], ok = 0): SshSession {
  let n = 0;
  return {
    endpoint: at,
    hostKey: "SHA256:x",
    history: [],
    connected: true,
    run: async () => {
      runs.push(name);
      if (n++ < ok) return { exitCode: 0, durationMs: 1, stderrTail: [] };
      throw new SshConnectionLostError(at, "cmd", 5, []);
    },
    upload: () => Promise.reject(new Error("no")),
    download: () => Promise.reject(new Error("no")),
    shell: () => Promise.reject(new Error("no")),
    close: async () => undefined,
    [Symbol.asyncDispose]: async () => undefined,
  };
}

describe("job: JobConnection (reconnects)", () => {
  const where = () => ({
    during: "python3 train.py",
    jobId: "step-20261207T130512Z-a1b2c3",
    logBytes: 77,
    notRun: ["next"],
  });

  it("a lost connection: logs in again, runs the step again on the new session, one log line for the outage", async () => {
    const clock = new FakeClock();
    const runs: string[] = [];
    const logged: string[] = [];
    const reconnected: Array<[string, number]> = [];
    let logins = 0;
    const conn = new JobConnection(
      fakeSession("first", runs),
      {
        connect: async () => {
          logins++;
          if (logins < 3) throw new SshConnectTimeoutError(at, 1, 10, "no SSH handshake in time");
          return fakeSession("second", runs, 1);
        },
        log: (l) => logged.push(l),
        clock,
        onReconnected: (at, outageMs) => reconnected.push([at.during, outageMs]),
      },
      { budgetMs: 60_000 },
    );
    const r = await conn.use(where, (s) => s.run("x"));
    assert.equal(r.exitCode, 0);
    assert.deepEqual(runs, ["first", "second"]);
    assert.equal(conn.outages, 1);
    // Told once the connection is back, before the step runs again (runJob's job.reconnected event).
    assert.deepEqual(reconnected, [["python3 train.py", 2000]]);
    assert.deepEqual(logged, [
      "connection lost during python3 train.py at log byte 77 (the connection closed); reconnected after 2.0 s, resuming",
    ]);
  });

  it("a changed host key on reconnect is thrown at once, never retried", async () => {
    const conn = new JobConnection(fakeSession("first", []), {
      connect: async () => {
        throw new SshHostKeyMismatchError(at, "SHA256:old", "SHA256:new");
      },
      log: () => undefined,
      clock: new FakeClock(),
    });
    await assert.rejects(
      conn.use(where, (s) => s.run("x")),
      { code: "CLORE_SSH_HOST_KEY_MISMATCH" },
    );
  });

  it("the budget spent: JobInterruptedError naming the step, the job and what was not run; a long outage shows progress", async () => {
    const clock = new FakeClock();
    const logged: string[] = [];
    const conn = new JobConnection(
      fakeSession("first", []),
      {
        connect: async (waitMs) => {
          await clock.sleep(waitMs);
          throw new SshConnectTimeoutError(at, 3, waitMs, "connection refused");
        },
        log: (l) => logged.push(l),
        clock,
      },
      { budgetMs: 90_000 },
    );
    const e = await conn.use(where, (s) => s.run("x")).catch((x: unknown) => x);
    assert.equal((e as { code?: string }).code, "CLORE_JOB_INTERRUPTED");
    assert.equal((e as { why?: string }).why, "reconnect-budget");
    assert.match((e as Error).message, /no connection for 90 s \(\d+ attempt\(s\); last: .*connection refused/);
    assert.match((e as Error).message, /Not run: "next"\./);
    assert.ok(logged.length >= 2 && logged.every((l) => l.startsWith("connection lost during python3 train.py")));
    assert.match(logged[0]!, /still reconnecting \(\d+ s of 90 s\)$/);
  });

  it("the API says the order ended: JobInterruptedError at once, no login tried", async () => {
    let logins = 0;
    const conn = new JobConnection(fakeSession("first", []), {
      connect: async () => {
        logins++;
        return fakeSession("second", [], 1);
      },
      log: () => undefined,
      orderEnded: async () => "order 41 is listed as ended",
      clock: new FakeClock(),
    });
    const e = await conn.use(where, (s) => s.run("x")).catch((x: unknown) => x);
    assert.equal((e as { why?: string }).why, "order-ended");
    assert.match((e as Error).message, /the order ended \(order 41 is listed as ended\)/);
    assert.equal(logins, 0);
  });

  it("an API that cannot tell (unknown) is not an ended order: reconnecting goes on", async () => {
    const conn = new JobConnection(fakeSession("first", []), {
      connect: async () => fakeSession("second", [], 1),
      log: () => undefined,
      orderEnded: async () => {
        throw new Error("my_orders could not be read");
      },
      clock: new FakeClock(),
    });
    assert.equal((await conn.use(where, (s) => s.run("x"))).exitCode, 0);
  });

  it("an aborted job stops reconnecting and throws the abort's reason", async () => {
    const ac = new AbortController();
    const conn = new JobConnection(fakeSession("first", []), {
      connect: async () => fakeSession("second", [], 1),
      log: () => undefined,
      signal: ac.signal,
      clock: new FakeClock(),
    });
    ac.abort(new Error("cancelled by CI"));
    await assert.rejects(
      conn.use(where, (s) => s.run("x")),
      /cancelled by CI/,
    );
  });
});
