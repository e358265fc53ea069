import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type CheckpointTransfer, pullCheckpoint, pushCheckpoint } from "pulumi-clore/job";
import { connectSsh } from "pulumi-clore/ssh";
import { log, tmp } from "../lib/context";
import { startEmulatorProcess } from "../lib/emulator-process";
import { renderMarkdown } from "../lib/table";
import { PASSWORD, randomish, rent } from "./ssh-job";

/**
 * Issue 21 benchmark: checkpoint push/pull throughput (pulumi-clore/job pushCheckpoint /
 * pullCheckpoint) beside the raw SFTP copy of the same tree (SshSession.upload/download), for
 * a checkpoint of 10 × 10 MB and one of 500 × 4 KiB, plus what a pull costs when nothing or
 * one file changed. Same emulator sshd (in its own process) and one connection for all.
 */
const ROUNDS = 3;
const TREES = [
  { name: "10 × 10 MB", files: 10, size: 10 * 1024 * 1024 },
  { name: "500 × 4 KiB", files: 500, size: 4096 },
];

type Times = Record<"rawUp" | "rawDown" | "push" | "pull" | "pullSame" | "pullOne" | "pushSame", number[]>;

export async function checkpointScenarios(): Promise<{ table: string; notes: string[] }> {
  const dir = mkdtempSync(join(tmp, "checkpoint-"));
  const emu = await startEmulatorProcess({ timeScale: 1, bootDelayMs: 0, rateLimit: false });
  const rows: string[][] = [];
  const notes: string[] = [];
  try {
    const o = await rent(emu, undefined);
    const ssh = await connectSsh({ host: "127.0.0.1", port: o.port, password: PASSWORD }, { waitMs: 10_000 });
    for (const [k, tree] of TREES.entries()) {
      const src = join(dir, `src-${k}`);
      mkdirSync(src);
      const body = randomish(tree.files * tree.size);
      // Written an hour ago: a file of the current second is copied once more by design (the racy-second rule).
      const anHourAgo = Date.now() / 1000 - 3600;
      for (let i = 0; i < tree.files; i++) {
        const file = join(src, `part-${String(i).padStart(3, "0")}.pt`);
        writeFileSync(file, body.subarray(i * tree.size, (i + 1) * tree.size));
        utimesSync(file, anHourAgo, anHourAgo);
      }
      const want = digest(src);
      const t: Times = { rawUp: [], rawDown: [], push: [], pull: [], pullSame: [], pullOne: [], pushSame: [] };
      for (let r = 0; r < ROUNDS; r++) {
        const at = `${k}-${r}`;
        t.rawUp.push(await timed(() => ssh.upload(src, `raw-${at}`)));
        t.rawDown.push(await timed(() => ssh.download(`raw-${at}`, join(dir, `raw-${at}`))));
        check(join(dir, `raw-${at}`), want);
        t.push.push(await timed(() => copied(pushCheckpoint(ssh, src, `ckpt-${at}`), tree.files)));
        check(join(o.sandbox, `ckpt-${at}`), want);
        const local = join(dir, `pull-${at}`);
        t.pull.push(await timed(() => copied(pullCheckpoint(ssh, `ckpt-${at}`, local), tree.files)));
        check(local, want);
        t.pullSame.push(await timed(() => copied(pullCheckpoint(ssh, `ckpt-${at}`, local), 0)));
        // The job writes a new version of one file (another mtime), as a training step would.
        const one = join(o.sandbox, `ckpt-${at}`, "part-000.pt");
        writeFileSync(one, randomish(tree.size));
        utimesSync(one, anHourAgo + 60, anHourAgo + 60);
        t.pullOne.push(await timed(() => copied(pullCheckpoint(ssh, `ckpt-${at}`, local), 1)));
        t.pushSame.push(await timed(() => copied(pushCheckpoint(ssh, local, `ckpt-${at}`), 0)));
        for (const d of [`raw-${at}`, `pull-${at}`]) rmSync(join(dir, d), { recursive: true, force: true });
        log(
          `checkpoint ${tree.name} round ${r + 1}: ${Object.entries(t)
            .map(([n, xs]) => `${n} ${ms(xs[r]!)}`)
            .join(", ")}`,
        );
      }
      const mb = (tree.files * tree.size) / 1e6;
      const rate = (xs: number[]) => `${ms(median(xs))} (${(mb / (median(xs) / 1000)).toFixed(0)} MB/s)`;
      const ratio = (a: number[], b: number[]) => `${(median(a) / median(b)).toFixed(2)}× the raw copy's time`;
      rows.push(
        [`Push ${tree.name} (all new)`, rate(t.push), rate(t.rawUp), ratio(t.push, t.rawUp)],
        [`Pull ${tree.name} (all new)`, rate(t.pull), rate(t.rawDown), ratio(t.pull, t.rawDown)],
        [`Pull ${tree.name}, nothing changed`, ms(median(t.pullSame)), "—", "one listing, nothing copied"],
        [`Pull ${tree.name}, 1 file changed`, ms(median(t.pullOne)), "—", "two listings + one file"],
        [`Push ${tree.name}, nothing changed`, ms(median(t.pushSame)), "—", "one listing, nothing copied"],
      );
      notes.push(
        `Checkpoint ${tree.name}, all values (ms): ${Object.entries(t)
          .map(([n, xs]) => `${n} ${xs.map((x) => Math.round(x)).join("/")}`)
          .join("; ")}.`,
      );
    }
    await ssh.close();
  } finally {
    await emu.close();
    rmSync(dir, { recursive: true, force: true });
  }
  notes.unshift(
    `Checkpoint rows: median of ${ROUNDS} interleaved rounds (raw upload, raw download, push, pull, pull again, pull after one file changed, push again), every copy checked by SHA-256 of the whole tree; the emulator's sshd (ssh2, its own process) as in the SSH rows. Raw = SshSession.upload/download of the directory; the checkpoint copies per file through a temp file renamed into place and lists the remote directory with one command before (and, when it copied anything, after) the copy.`,
  );
  const table = renderMarkdown(
    ["Checkpoint scenario", "pushCheckpoint / pullCheckpoint", "Raw SFTP copy of the tree", "Note"],
    rows,
  );
  return { table, notes };
}

async function copied(p: Promise<CheckpointTransfer>, want: number): Promise<void> {
  const r = await p;
  if (r.files !== want) throw new Error(`copied ${r.files} file(s), expected ${want}`);
}

function digest(dir: string): string {
  const h = createHash("sha256");
  for (const name of (readdirSync(dir) as string[]).sort()) h.update(name).update(readFileSync(join(dir, name)));
  return h.digest("hex");
}

function check(dir: string, want: string): void {
  if (digest(dir) !== want) throw new Error(`${dir} is not a byte-identical copy of the checkpoint`);
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${Math.round(x)} ms`);
