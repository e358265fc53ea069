import { strict as assert } from "node:assert";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import {
  JobConnection,
  type JobLog,
  parseCheckpointOptions,
  pullCheckpoint,
  pushCheckpoint,
  withCheckpoints,
} from "../../provider/job";
import type { SshSession } from "../../provider/ssh";
import { scratchDir } from "../helpers/scratch-dir";

/**
 * The checkpoint specs, run on two servers: the emulator's sshd (checkpoint.spec.ts) and a
 * real OpenSSH sshd (checkpoint-openssh.e2e.spec.ts), whose find, stat, touch and SFTP are
 * what a rented server has.
 */
export interface CheckpointBackend {
  /** A fresh login (the same host key policy each time). */
  connect(): Promise<SshSession>;
  /** A directory for one test: as the server names it, and where it is on this machine. */
  dir(name: string): { remote: string; here: string };
  /** Close every SSH connection to the server, cleanly. */
  cut(): void;
  close(): Promise<void>;
}

/** path → content of every file under dir (temp files included: none may be left). */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const p = join(dir, name);
    if (statSync(p).isFile()) out[relative(dir, p)] = readFileSync(p, "utf8");
  }
  return out;
}

const sec = (path: string) => Math.floor(statSync(path).mtimeMs / 1000);
function bytes(n: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (i * seed) % 251;
  return b;
}

/** Resolves once `check` holds, looking every 2 ms (a transfer in flight is watched from this side). */
async function until(check: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

export function checkpointCases(server: string, setup: () => Promise<CheckpointBackend>): void {
  describe(`job checkpoints: pull and push over SFTP (${server})`, () => {
    let backend: CheckpointBackend;
    let ssh: SshSession;
    /** The test's checkpoint directory: as the server names it, and where it is on this machine. */
    let dir: { remote: string; here: string };
    let remote: string;
    let local: string;
    let n = 0;
    before(async () => {
      backend = await setup();
    });
    after(() => backend?.close());
    beforeEach(async () => {
      n++;
      dir = backend.dir(`ckpt-${n}`);
      remote = dir.here;
      mkdirSync(join(remote, "opt"), { recursive: true });
      local = scratchDir("checkpoint");
      ssh = await backend.connect();
    });
    afterEach(async () => {
      await ssh?.close();
      rmSync(local, { recursive: true, force: true });
    });
    const rel = () => dir.remote;
    const old = Math.floor(Date.now() / 1000) - 3600;
    const write = (name: string, content: string | Buffer, mtime = old) => {
      writeFileSync(join(remote, name), content);
      utimesSync(join(remote, name), mtime, mtime);
    };

    it("copies the tree with mtimes and modes, then only what changed (size or mtime)", async () => {
      write("model.pt", "step 10");
      write("opt/adam.pt", "moments 10");
      const first = await pullCheckpoint(ssh, rel(), local);
      assert.deepEqual([first.files, first.bytes, first.unchanged], [2, 17, 0]);
      assert.deepEqual(tree(local), { "model.pt": "step 10", "opt/adam.pt": "moments 10" });
      assert.equal(sec(join(local, "model.pt")), old);

      const again = await pullCheckpoint(ssh, rel(), local);
      assert.deepEqual([again.files, again.unchanged], [0, 2]);

      write("model.pt", "step 20", old + 5); // same size, newer mtime
      write("opt/adam.pt", "moments 200"); // same mtime, other size
      write("step.txt", "20");
      const third = await pullCheckpoint(ssh, rel(), local);
      assert.deepEqual([third.files, third.unchanged], [3, 0]);
      assert.deepEqual(tree(local), { "model.pt": "step 20", "opt/adam.pt": "moments 200", "step.txt": "20" });
    });

    it("copies a file written in the listing's second again at the next pull (a same-second rewrite keeps size and mtime)", async () => {
      const now = Math.floor(Date.now() / 1000);
      write("model.pt", "step 1", now);
      assert.equal((await pullCheckpoint(ssh, rel(), local)).files, 1);
      write("model.pt", "step 2", now);
      const next = await pullCheckpoint(ssh, rel(), local);
      assert.equal(next.files, 1);
      assert.equal(readFileSync(join(local, "model.pt"), "utf8"), "step 2");
    });

    it("a missing remote directory is an empty one; nothing local is deleted", async () => {
      writeFileSync(join(local, "keep.pt"), "kept");
      const r = await pullCheckpoint(ssh, "no/such/dir", local);
      assert.deepEqual([r.files, r.unchanged], [0, 0]);
      assert.deepEqual(tree(local), { "keep.pt": "kept" });
    });

    it("a connection cut mid-pull leaves the previous copy whole and no temp file; the next pull completes", async () => {
      write("model.pt", bytes(1000, 7));
      await pullCheckpoint(ssh, rel(), local);
      const big = bytes(8_000_000, 13);
      write("model.pt", big, old + 10);
      const part = join(local, ".model.pt.clore-part");
      const cut = until(() => existsSync(part), "the temp file").then(() => backend.cut());
      await assert.rejects(pullCheckpoint(ssh, rel(), local), { code: "CLORE_SSH_CONNECTION_LOST" });
      await cut;
      assert.deepEqual(readdirSync(local), ["model.pt"]);
      assert.deepEqual(readFileSync(join(local, "model.pt")), bytes(1000, 7));

      ssh = await backend.connect();
      assert.equal((await pullCheckpoint(ssh, rel(), local)).files, 1);
      assert.ok(readFileSync(join(local, "model.pt")).equals(big));
    });

    it("a file rewritten while it is copied is not kept: the previous copy stays until the next pull", async () => {
      write("model.pt", bytes(1000, 7));
      await pullCheckpoint(ssh, rel(), local);
      write("model.pt", bytes(8_000_000, 13), old + 10);
      const part = join(local, ".model.pt.clore-part");
      const rewrite = until(() => existsSync(part), "the temp file").then(() =>
        write("model.pt", bytes(8_000_000, 17), old + 20),
      );
      const torn = await pullCheckpoint(ssh, rel(), local);
      await rewrite;
      assert.deepEqual([torn.files, torn.changedDuringCopy], [0, 1]);
      assert.deepEqual(readFileSync(join(local, "model.pt")), bytes(1000, 7));
      assert.deepEqual(readdirSync(local), ["model.pt"]);
      assert.equal((await pullCheckpoint(ssh, rel(), local)).files, 1);
      assert.ok(readFileSync(join(local, "model.pt")).equals(bytes(8_000_000, 17)));
    });

    it("a file the job deletes while the pull runs (a rotated checkpoint) is skipped, not an error", async () => {
      write("a.pt", bytes(8_000_000, 3));
      write("b.pt", bytes(8_000_000, 5));
      // Files are copied in path order: while a.pt is on its way, b.pt goes.
      const rotate = until(() => existsSync(join(local, ".a.pt.clore-part")), "a's temp file").then(() =>
        rmSync(join(remote, "b.pt")),
      );
      const r = await pullCheckpoint(ssh, rel(), local);
      await rotate;
      assert.deepEqual([r.files, r.changedDuringCopy], [1, 1]);
      assert.deepEqual(readdirSync(local), ["a.pt"]);
    });

    it("pushes a local checkpoint with its mtimes, so a pull back finds it unchanged; a second push copies nothing", async () => {
      rmSync(remote, { recursive: true });
      mkdirSync(join(local, "opt"));
      writeFileSync(join(local, "model.pt"), "step 30");
      writeFileSync(join(local, "opt/adam.pt"), "moments 30");
      writeFileSync(join(local, ".model.pt.clore-part"), "a killed pull's leftover");
      utimesSync(join(local, "model.pt"), old, old);
      utimesSync(join(local, "opt/adam.pt"), old + 1, old + 1);
      const pushed = await pushCheckpoint(ssh, local, rel());
      assert.deepEqual([pushed.files, pushed.bytes], [2, 17]);
      assert.deepEqual(tree(remote), { "model.pt": "step 30", "opt/adam.pt": "moments 30" });
      assert.equal(sec(join(remote, "model.pt")), old);
      assert.deepEqual((await pushCheckpoint(ssh, local, rel())).files, 0);
      const back = await pullCheckpoint(ssh, rel(), local);
      assert.deepEqual([back.files, back.unchanged], [0, 2]);
      assert.ok(!existsSync(join(local, ".model.pt.clore-part")), "the leftover temp file is cleared");
    });

    it("an empty or missing local directory pushes nothing and creates nothing remote", async () => {
      rmSync(remote, { recursive: true });
      assert.equal((await pushCheckpoint(ssh, local, rel())).files, 0);
      assert.equal((await pushCheckpoint(ssh, join(local, "absent"), rel())).files, 0);
      assert.ok(!existsSync(remote));
    });

    describe("during a job (withCheckpoints)", () => {
      /** A sleep the test ends by hand: each pause waits for tick(). */
      function manualSleep() {
        const waiting: (() => void)[] = [];
        return {
          sleep: (_ms: number, signal: AbortSignal) =>
            new Promise<void>((resolve) => {
              waiting.push(resolve);
              signal.addEventListener("abort", () => resolve(), { once: true });
            }),
          async tick() {
            await until(() => waiting.length > 0, "the pull loop to pause");
            waiting.shift()!();
          },
          get paused() {
            return waiting.length;
          },
        };
      }
      let logged: string[];
      const log: JobLog = (l) => logged.push(l);
      beforeEach(() => {
        logged = [];
      });

      it("pushes first (CLORE_JOB_RESUME=1), pulls on each interval, reconnects a cut pull, and pulls at the end of a failed step", async () => {
        const connect = () => backend.connect();
        const conn = new JobConnection(await connect(), { connect, log });
        writeFileSync(join(local, "model.pt"), "step 5");
        const clock = manualSleep();
        const checkpoint = parseCheckpointOptions({ remoteDir: rel(), localDir: local, intervalMs: 5000 });
        const written = (s: string) => write("model.pt", s, old + s.length);
        const failed = withCheckpoints(
          { conn, checkpoint, commands: ["train"], log, sleep: clock.sleep },
          async (env) => {
            assert.deepEqual(env, { CLORE_JOB_RESUME: "1" });
            assert.equal(readFileSync(join(remote, "model.pt"), "utf8"), "step 5");
            written("step 10");
            await clock.tick();
            await until(() => readFileSync(join(local, "model.pt"), "utf8") === "step 10", "the first pull");
            // The step's own reconnect (conn.use) replaces the session; the pull waits for it.
            written("step 200");
            backend.cut();
            await until(() => !conn.session.connected, "the cut");
            await clock.tick();
            await conn.use(
              () => ({ during: "train", notRun: [] }),
              (s) => s.run("exit 0").then((r) => (r.exitCode === 0 ? r : Promise.reject(new Error("?")))),
            );
            await clock.tick(); // the pull's look for a new session
            await until(
              () => readFileSync(join(local, "model.pt"), "utf8") === "step 200",
              "the pull after the reconnect",
            );
            written("step 3000");
            throw new Error("exit 3");
          },
        );
        await assert.rejects(failed, /exit 3/);
        assert.equal(readFileSync(join(local, "model.pt"), "utf8"), "step 3000", "the final pull");
        assert.deepEqual(readdirSync(local), ["model.pt"]);
        assert.match(
          logged[0]!,
          /^checkpoint: restored 1 file\(s\) from .* to .*ckpt-\d+ \(.*\); the job resumes \(CLORE_JOB_RESUME=1\)$/,
        );
        assert.match(
          logged.at(-1)!,
          /^checkpoint: final pull of .*ckpt-\d+ into .*: 1 file\(s\), 0\.0 MB in [\d.]+ s, 0 unchanged$/,
        );
        assert.ok(!logged.some((l) => /pull failed/.test(l)), logged.join("\n"));
        await conn.session.close();
      });

      it("an empty local directory: no push, no CLORE_JOB_RESUME", async () => {
        const connect = () => backend.connect();
        const conn = new JobConnection(await connect(), { connect, log });
        const checkpoint = parseCheckpointOptions({ remoteDir: rel(), localDir: local });
        const env = await withCheckpoints(
          { conn, checkpoint, commands: [], log, sleep: manualSleep().sleep },
          async (e) => e,
        );
        assert.deepEqual(env, {});
        await conn.session.close();
      });
    });
  });
}
