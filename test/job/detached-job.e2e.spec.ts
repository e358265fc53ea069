import assert from "node:assert/strict";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Emulator } from "../../provider/emulator";
import { JobConnection, type JobLogSource, type ReconnectOptions } from "../../provider/job";
import { runSteps } from "../../provider/job/job-steps";
import { attachJob, jobStatus, listJobs, startJob, stopJob } from "../../provider/job/remote";
import { CloreClient, orderFate } from "../../provider/sdk";
import { type SshSession, type SshTarget, TrustOnFirstUse, connectSsh } from "../../provider/ssh";
import { scratchDir } from "../helpers/scratch-dir";
import { type RealSshd, sshdAvailable, startSshd } from "../helpers/sshd";
import { rentSshOrder, startSshEmulator } from "../helpers/ssh-orders";
import { type TcpProxy, startTcpProxy } from "../helpers/tcp-proxy";

/**
 * Detached jobs and the runner's reconnects, on two servers: the emulator's sshd (its own
 * faults: cutSsh, freezeSsh, the order's end) and a real OpenSSH sshd behind a loopback proxy
 * we can cut or freeze. The job prints numbered lines on both streams and writes an artifact;
 * after every drop the log must hold each line exactly once, in order.
 */

const LINES = 30;
/** ~3 s: 30 numbered stdout lines, every 5th also on stderr, then an artifact. */
const COUNTER = `i=1; while [ $i -le ${LINES} ]; do echo "out $i"; [ $((i % 5)) -eq 0 ] && echo "err $i" >&2; i=$((i + 1)); sleep 0.1; done; mkdir -p out; echo "done $JOB_TAG" > out/result.txt`;
const expectedOut = Array.from({ length: LINES }, (_, i) => `out ${i + 1}`);
const expectedErr = expectedOut.filter((_, i) => (i + 1) % 5 === 0).map((l) => l.replace("out", "err"));

interface Backend {
  /** Log in (again), through whatever stands in the middle. */
  connect(waitMs: number): Promise<SshSession>;
  /** Remote path of `p`, a path under the job's scratch area (cwd, upload, download agree on it). */
  remote(p: string): string;
  cut(): void;
  freeze(ms: number): void;
  orderEnded?: () => Promise<string | undefined>;
}

function suite(name: string, setup: () => Promise<{ backend: Backend; close: () => Promise<void> }>) {
  describe(`detached jobs and reconnects: ${name}`, function () {
    this.timeout(60_000);
    let b: Backend;
    let close: (() => Promise<void>) | undefined;
    let local: string;
    const lines: { line: string; source: JobLogSource }[] = [];
    const log = (line: string, source: JobLogSource) => lines.push({ line, source });
    const of = (s: JobLogSource) => lines.filter((l) => l.source === s).map((l) => l.line);

    before(async () => {
      ({ backend: b, close } = await setup());
    });
    after(() => close?.());
    beforeEach(() => {
      lines.length = 0;
      local = scratchDir("detached");
      mkdirSync(join(local, "src"));
      writeFileSync(join(local, "src", "counter.sh"), COUNTER);
    });
    afterEach(() => rmSync(local, { recursive: true, force: true }));

    const steps = (commands = ["sh counter.sh"]) => ({
      upload: [{ local: join(local, "src"), remote: b.remote("work") }],
      cwd: b.remote("work"),
      env: { JOB_TAG: "t1" },
      commands,
      download: [{ remote: b.remote("work/out"), local: join(local, "out") }],
    });
    const connection = async (o: ReconnectOptions = {}) =>
      new JobConnection(await b.connect(10_000), { connect: (w) => b.connect(w), log, orderEnded: b.orderEnded }, o);
    const whenLogged = async (line: string) => {
      while (!lines.some((l) => l.line === line)) await new Promise((r) => setTimeout(r, 20));
    };

    it("a job outlives its connection: another login attaches from an offset and gets the rest, then the exit code", async () => {
      const ssh = await b.connect(10_000);
      const job = await startJob(ssh, { command: `${COUNTER}; exit 4`, cwd: b.remote("."), env: { JOB_TAG: "x" } });
      const first: string[] = [];
      let offset = 0;
      const attached = attachJob(ssh, job.id, {
        onLine: (l) => {
          first.push(l.text);
          offset = l.endOffset;
        },
      });
      while (first.length < 5) await new Promise((r) => setTimeout(r, 20));
      b.cut();
      await assert.rejects(attached, { code: "CLORE_SSH_CONNECTION_LOST" });
      const again = await b.connect(10_000);
      assert.equal((await jobStatus(again, job.id)).state, "running");
      const rest: string[] = [];
      const r = await attachJob(again, job.id, { fromOffset: offset, onLine: (l) => rest.push(l.text) });
      assert.equal(r.exitCode, 4);
      const all = [...first, ...rest];
      assert.deepEqual(
        all.filter((l) => l.startsWith("out")),
        expectedOut,
      );
      assert.deepEqual(
        all.filter((l) => l.startsWith("err")),
        expectedErr,
      );
      const st = await jobStatus(again, job.id);
      assert.equal(st.state, "exited");
      assert.equal(st.exitCode, 4);
      assert.equal(st.logBytes, r.endOffset);
      assert.ok((await listJobs(again)).some((j) => j.id === job.id));
      await again.close();
    });

    it("stop: TERM to the job's process group, its exit code recorded", async () => {
      const ssh = await b.connect(10_000);
      const job = await startJob(ssh, { command: "echo started; sleep 30; echo never", cwd: b.remote(".") });
      const st = await stopJob(ssh, job.id, { graceMs: 3000 });
      assert.equal(st.state, "exited");
      assert.equal(st.exitCode, 143);
      await ssh.close();
    });

    it("a clean cut mid-command: one log line for the outage, the full log with no gap or duplicate, exit code and artifacts", async () => {
      const conn = await connection();
      const running = runSteps(conn, steps(["sh counter.sh", "echo second"]), log);
      await whenLogged("out 10");
      b.cut();
      const r = await running;
      assert.deepEqual(of("stdout"), [...expectedOut, "second"]);
      assert.deepEqual(of("stderr"), expectedErr);
      const outages = of("job").filter((l) => l.startsWith("connection lost"));
      assert.equal(outages.length, 1, of("job").join("\n"));
      assert.match(
        outages[0]!,
        /^connection lost during sh counter\.sh at log byte \d+ \(.*\); reconnected after \d+\.\d s, resuming$/,
      );
      assert.deepEqual(
        r.commands.map((c) => [c.command, c.exitCode]),
        [
          ["sh counter.sh", 0],
          ["echo second", 0],
        ],
      );
      assert.equal(readFileSync(join(local, "out", "result.txt"), "utf8"), "done t1\n");
      assert.equal(conn.outages, 1);
      await conn.session.close();
    });

    it("a silent partition mid-command is noticed within the idle timeout; the log resumes with no gap or duplicate", async () => {
      const conn = await connection({ idleTimeoutMs: 2500 });
      const running = runSteps(conn, steps(), log);
      await whenLogged("out 8");
      const frozenAt = Date.now();
      b.freeze(6000);
      let noticedAt = 0;
      while (!noticedAt) {
        if (of("job").some((l) => l.startsWith("connection lost"))) noticedAt = Date.now();
        await new Promise((r) => setTimeout(r, 20));
      }
      await running;
      assert.ok(noticedAt - frozenAt < 8000, `noticed after ${noticedAt - frozenAt} ms`);
      assert.deepEqual(of("stdout"), expectedOut);
      assert.deepEqual(of("stderr"), expectedErr);
      assert.equal(readFileSync(join(local, "out", "result.txt"), "utf8"), "done t1\n");
      await conn.session.close();
    });

    it("a command past commandTimeoutMs is stopped on the server (TERM to its group) and fails as a timeout", async () => {
      const conn = await connection();
      const started = Date.now();
      const e = await runSteps(
        conn,
        { cwd: b.remote("."), commands: ["echo going; sleep 30"], commandTimeoutMs: 800 },
        log,
      ).catch((x: unknown) => x);
      assert.equal((e as { code?: string }).code, "CLORE_SSH_COMMAND_TIMEOUT", String(e));
      assert.ok(Date.now() - started < 10_000);
      const jobs = await listJobs(conn.session);
      assert.ok(
        jobs.every((j) => j.state === "exited"),
        JSON.stringify(jobs),
      );
      await conn.session.close();
    });

    it("a stop from outside (the spend cap) ends the command on the server, runs no more, still downloads, throws its reason", async () => {
      const conn = await connection();
      const stop = new AbortController();
      const reason = new Error("spend cap");
      const downloaded: string[] = [];
      const running = runSteps(conn, steps(["sh counter.sh; echo written; sleep 30", "echo never"]), log, {
        stop: stop.signal,
        onDownloaded: (d, r) => downloaded.push(`${d.remote}: ${r.files}`),
      }).catch((x: unknown) => x);
      await whenLogged("written");
      const started = Date.now();
      stop.abort(reason);
      assert.equal(await running, reason);
      assert.ok(Date.now() - started < 10_000);
      assert.ok(!of("stdout").includes("never"));
      assert.equal(readFileSync(join(local, "out", "result.txt"), "utf8"), "done t1\n");
      assert.deepEqual(downloaded, [`${b.remote("work/out")}: 1`]);
      const jobs = await listJobs(conn.session);
      assert.ok(
        jobs.every((j) => j.state === "exited"),
        JSON.stringify(jobs),
      );
      await conn.session.close();
    });

    it("a failing command fails with its exit code and stderr tail; the rest is not run; artifacts still come back", async () => {
      const conn = await connection();
      const e = await runSteps(conn, steps(["sh counter.sh; echo boom >&2; exit 3", "echo never"]), log).catch(
        (x: unknown) => x,
      );
      assert.equal((e as { code?: string }).code, "CLORE_SSH_COMMAND_FAILED");
      assert.equal((e as { exitCode?: number }).exitCode, 3);
      assert.match((e as Error).message, /boom/);
      assert.ok(!of("stdout").includes("never"));
      assert.equal(readFileSync(join(local, "out", "result.txt"), "utf8"), "done t1\n");
      await conn.session.close();
    });
  });
}

// ── the emulator ─────────────────────────────────────────────────────────────────────────
let emu: Emulator;
let orderId = 0;
suite("emulator sshd", async () => {
  emu = await startSshEmulator();
  const { target, order } = await rentSshOrder(emu);
  orderId = order.id;
  const hostKeys = new TrustOnFirstUse();
  const client = new CloreClient({ apiKey: emu.apiKey, baseUrl: emu.url });
  return {
    backend: {
      connect: (waitMs) => connectSsh(target, { waitMs, hostKeys, keepaliveIntervalMs: 5000, keepaliveCountMax: 2 }),
      remote: (p) => p,
      cut: () => emu.cutSsh(orderId),
      freeze: (ms) => emu.freezeSsh(orderId, ms),
      orderEnded: async () => {
        const f = await orderFate(client, orderId);
        return f.state === "ended" ? f.reason : undefined;
      },
    },
    close: async () => {
      await client.close();
      await emu.close();
    },
  };
});

describe("detached jobs and reconnects: the order ends mid-job (emulator)", function () {
  this.timeout(60_000);
  it("the API says the order ended: a clear error naming the command and the job, what is lost, nothing downloaded", async () => {
    const e2 = await startSshEmulator();
    try {
      const { target, order } = await rentSshOrder(e2);
      const client = new CloreClient({ apiKey: e2.apiKey, baseUrl: e2.url });
      const logged: string[] = [];
      const hostKeys = new TrustOnFirstUse();
      const connect = (waitMs: number) => connectSsh(target, { waitMs, hostKeys });
      const conn = new JobConnection(
        await connect(5000),
        {
          connect,
          log: (l) => logged.push(l),
          orderEnded: async () => {
            const f = await orderFate(client, order.id);
            return f.state === "ended" ? f.reason : undefined;
          },
        },
        { budgetMs: 20_000 },
      );
      const running = runSteps(conn, { commands: ["echo started; sleep 30", "echo next"] }, (l) => logged.push(l));
      while (!logged.includes("started")) await new Promise((r) => setTimeout(r, 20));
      e2.endOrder(order.id, "host-ended");
      const e = await running.catch((x: unknown) => x);
      assert.equal((e as { code?: string }).code, "CLORE_JOB_INTERRUPTED", String(e));
      assert.match(
        (e as Error).message,
        /"echo started; sleep 30" \(job step-\S+, log shown up to byte \d+\) did not finish here: the order ended \(.*\)\. Nothing had finished before it\. Lost with the server: .* Not run: "echo next"\. Nothing more was downloaded\./,
      );
      await client.close();
    } finally {
      await e2.close();
    }
  });
});

// ── a real OpenSSH sshd behind a proxy ───────────────────────────────────────────────────
let sshd: RealSshd | undefined;
let proxy: TcpProxy;
const realTarget = (): SshTarget => ({
  host: "127.0.0.1",
  port: proxy.port,
  user: sshd!.user,
  privateKey: sshd!.privateKey,
});
suite("OpenSSH sshd", async () => {
  if (!sshdAvailable()) throw new Error("no /usr/sbin/sshd: run scripts/system-packages.sh");
  sshd = await startSshd();
  proxy = await startTcpProxy(sshd.port);
  const hostKeys = new TrustOnFirstUse();
  return {
    backend: {
      connect: (waitMs) =>
        connectSsh(realTarget(), { waitMs, hostKeys, keepaliveIntervalMs: 5000, keepaliveCountMax: 2 }),
      remote: (p) => join(sshd!.home, p),
      cut: () => proxy.cut(),
      freeze: (ms) => proxy.freeze(ms),
    },
    close: async () => {
      await proxy.close();
      await sshd?.stop();
    },
  };
});

describe("detached jobs and reconnects: what ends a job (OpenSSH)", function () {
  this.timeout(60_000);
  let other: RealSshd;
  before(async () => {
    if (!sshdAvailable()) throw new Error("no /usr/sbin/sshd: run scripts/system-packages.sh");
    other = await startSshd();
  });
  after(() => other?.stop());

  const run = async (o: ReconnectOptions, fault: (p: TcpProxy, s: RealSshd) => void) => {
    const s = await startSshd();
    const p = await startTcpProxy(s.port);
    try {
      const hostKeys = new TrustOnFirstUse();
      const target = { host: "127.0.0.1", port: p.port, user: s.user, privateKey: s.privateKey };
      const connect = (waitMs: number) => connectSsh(target, { waitMs, hostKeys });
      const logged: string[] = [];
      const conn = new JobConnection(await connect(5000), { connect, log: (l) => logged.push(l) }, o);
      const running = runSteps(conn, { cwd: s.home, commands: ["echo started; sleep 20", "echo next"] }, (l) =>
        logged.push(l),
      );
      while (!logged.includes("started")) await new Promise((r) => setTimeout(r, 20));
      fault(p, s);
      return await running.catch((x: unknown) => x);
    } finally {
      await p.close();
      await s.stop();
    }
  };

  it("another host key on reconnect: refused, never trusted (CLORE_SSH_HOST_KEY_MISMATCH)", async () => {
    const e = await run({ budgetMs: 10_000 }, (p) => {
      p.retarget(other.port);
      p.cut();
    });
    assert.equal((e as { code?: string }).code, "CLORE_SSH_HOST_KEY_MISMATCH", String(e));
  });

  it("the reconnect budget spent: a clear error saying what ran, what is lost, what was not run", async () => {
    const e = await run({ budgetMs: 2000 }, (p) => {
      p.retarget(1); // nothing listens on port 1
      p.cut();
    });
    assert.equal((e as { code?: string }).code, "CLORE_JOB_INTERRUPTED", String(e));
    assert.match(
      (e as Error).message,
      /"echo started; sleep 20" \(job step-\S+, log shown up to byte \d+\) did not finish here: no connection for 2 s .*it may still be running on the server until the stack is destroyed\. Not run: "echo next"\. Nothing more was downloaded\./,
    );
  });
});
