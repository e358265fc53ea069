import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { PassThrough, Readable } from "node:stream";
import type { Emulator } from "../../provider/emulator";
import { type SshSession, connectSsh } from "../../provider/ssh";
import { alive, rentSshOrder, startSshEmulator } from "../helpers/ssh-orders";

describe("ssh: SshSession.run", () => {
  let emu: Emulator;
  let ssh: SshSession;
  let sandbox: string;
  before(async () => {
    emu = await startSshEmulator();
    const rented = await rentSshOrder(emu, { ssh_password: "pw-emulated", env: { ORDER_VAR: "from-the-order" } });
    sandbox = rented.order.sandboxDir!;
    ssh = await connectSsh(rented.target, { waitMs: 0 });
  });
  after(async () => {
    await ssh?.close();
    await emu.close();
  });

  it("streams stdout and stderr line by line as they arrive, in order", async () => {
    const seen: { stream: string; line: string; at: number }[] = [];
    const start = Date.now();
    const r = await ssh.run("for i in 1 2 3; do echo out-$i; echo err-$i >&2; sleep 0.3; done", {
      onStdout: (line) => seen.push({ stream: "out", line, at: Date.now() - start }),
      onStderr: (line) => seen.push({ stream: "err", line, at: Date.now() - start }),
    });
    assert.equal(r.exitCode, 0);
    assert.deepEqual(
      seen.filter((s) => s.stream === "out").map((s) => s.line),
      ["out-1", "out-2", "out-3"],
    );
    assert.deepEqual(
      seen.filter((s) => s.stream === "err").map((s) => s.line),
      ["err-1", "err-2", "err-3"],
    );
    const first = seen.find((s) => s.line === "out-1")!.at;
    assert.ok(
      first < r.durationMs - 400,
      `the first line came at ${first} ms of ${Math.round(r.durationMs)}: not live`,
    );
  });

  it("returns the exit code, or the signal that killed the command", async () => {
    assert.deepEqual(pick(await ssh.run("exit 7")), { exitCode: 7, signal: undefined });
    assert.deepEqual(pick(await ssh.run("kill -9 $$")), { exitCode: null, signal: "SIGKILL" });
  });

  it("runs in cwd with env added to the order's own, values of any content", async () => {
    await ssh.run("mkdir -p work/dir");
    const lines: string[] = [];
    await ssh.run('pwd; printf "%s|%s\\n" "$ORDER_VAR" "$TRICKY"', {
      cwd: "work/dir",
      env: { TRICKY: `it's "$HOME" & \`x\`` },
      onStdout: (l) => lines.push(l),
    });
    assert.deepEqual(lines, [`${sandbox}/work/dir`, `from-the-order|it's "$HOME" & \`x\``]);
  });

  it("with check, throws the exit code and the last lines of stderr", async () => {
    const script = "for i in $(seq 1 30); do echo line-$i >&2; done; exit 3";
    await assert.rejects(ssh.run(script, { check: true, tailLines: 3 }), (e: Error & Record<string, unknown>) => {
      assert.deepEqual(
        [e.code, e.exitCode, e.stderrTail],
        ["CLORE_SSH_COMMAND_FAILED", 3, ["line-28", "line-29", "line-30"]],
      );
      assert.match(
        e.message,
        /^ssh root@127\.0\.0\.1:\d+: "for i in .*" exited with code 3\.\nLast lines of stderr:\n {2}line-28\n {2}line-29\n {2}line-30$/,
      );
      return true;
    });
  });

  it("kills the command's whole process group on timeout and says so", async () => {
    const started = Date.now();
    await assert.rejects(ssh.run("sleep 60 & echo $! > child.pid; sleep 60", { timeoutMs: 300, killGraceMs: 500 }), {
      code: "CLORE_SSH_COMMAND_TIMEOUT",
    });
    assert.ok(Date.now() - started < 5000);
    const child = Number(readFileSync(`${sandbox}/child.pid`, "utf8"));
    for (let i = 0; i < 20 && alive(child); i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(alive(child), false, "the background child of the timed-out command still runs");
    assert.equal((await ssh.run("true")).exitCode, 0, "the session is still usable");
  });

  it("feeds stdin and passes raw bytes through to stdout", async () => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on("data", (c: Buffer) => chunks.push(c));
    await ssh.run("cat", { stdin: Readable.from([Buffer.from([0, 1, 2, 255])]), stdout: out });
    assert.deepEqual(Buffer.concat(chunks), Buffer.from([0, 1, 2, 255]));
  });

  it("refuses an env name the shell cannot export, before sending anything", async () => {
    await assert.rejects(ssh.run("true", { env: { "BAD-NAME": "x" } }), {
      code: "CLORE_VALIDATION_FAILED",
      message: "ssh run: env.BAD-NAME: must be a shell variable name (letters, digits, _; not starting with a digit)",
    });
  });

  it("says the connection was lost mid-command, with what had finished before", async () => {
    const rented = await rentSshOrder(emu);
    const other = await connectSsh(rented.target, { waitMs: 0 });
    await other.run("echo prepared");
    emu.faults.inject({ kind: "ssh-drop", delayMs: 300 });
    await assert.rejects(other.run("sleep 5; echo trained"), (e: Error & Record<string, unknown>) => {
      assert.equal(e.code, "CLORE_SSH_CONNECTION_LOST");
      assert.equal(e.during, "sleep 5; echo trained");
      assert.deepEqual(
        (e.completed as { command: string; exitCode: number }[]).map((c) => [c.command, c.exitCode]),
        [["echo prepared", 0]],
      );
      assert.match(
        e.message,
        /connection lost after \d\.\d s of "sleep 5; echo trained"\. Before it, "echo prepared" exited 0\. The command may still be running on the server; its outcome is unknown\.$/,
      );
      return true;
    });
    assert.equal(other.connected, false);
    await assert.rejects(other.run("true"), { code: "CLORE_SSH_CONNECTION_LOST" });
  });
});

function pick(r: { exitCode: number | null; signal?: string }) {
  return { exitCode: r.exitCode, signal: r.signal };
}
