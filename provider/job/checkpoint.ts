import { mkdirSync, readdirSync, renameSync, rmSync, statSync, utimesSync } from "node:fs";
import { basename, dirname, join, posix, relative, sep } from "node:path";
import { z } from "zod";
import { SshTransferError, parseOrThrow } from "../sdk";
import { type SshSession, shellQuote } from "../ssh";

/**
 * A job's checkpoint directory, mirrored between the server and this machine: pulled while
 * the job runs and at its end, pushed to a fresh server before a restart or a re-run. Only
 * files whose size or mtime differ are copied; a pulled file lands by rename, so a cut in the
 * middle of a pull never leaves a torn file in place of a good one.
 */

const DEFAULT_INTERVAL_MS = 60_000;
/** Temp files of a pull in progress (beside their target, so the rename stays on one file system). */
const PART_SUFFIX = ".clore-part";

export const CheckpointOptions = z
  .strictObject({
    remoteDir: z
      .string()
      .min(1)
      .refine((p) => !p.startsWith("~"), "is already under the login directory when relative; drop the leading ~/")
      .meta({ description: "The directory the job writes its checkpoints to (relative = under the login directory)." }),
    localDir: z.string().min(1).meta({
      description:
        "Where the checkpoints are kept on this machine. Files in it are pushed to remoteDir before the commands run (the job then sees CLORE_JOB_RESUME=1).",
    }),
    intervalMs: z.number().int().min(1000).default(DEFAULT_INTERVAL_MS).meta({
      description:
        "How often remoteDir is pulled while the job runs. Default 60 000 ms; a final pull follows the last command in any case.",
    }),
  })
  .meta({
    description: "Checkpoints: a remote directory pulled periodically and at the end, pushed before the start.",
  });
export type CheckpointOptions = z.input<typeof CheckpointOptions>;
export type CheckpointSettings = z.output<typeof CheckpointOptions>;

/** Validate runJob's `checkpoint` option (ValidationError naming the field, before anything is rented). */
export function parseCheckpointOptions(value: unknown): CheckpointSettings {
  return parseOrThrow(CheckpointOptions, value, "runJob", "checkpoint");
}

export interface CheckpointTransfer {
  /** Files copied (changed or new). */
  files: number;
  bytes: number;
  /** Files already the same on both sides (size and mtime), not copied. */
  unchanged: number;
  /** Pull only: files that changed while they were copied; the previous copy stays, the next pull takes them. */
  changedDuringCopy: number;
  durationMs: number;
}

/** A file of the checkpoint: path relative to its directory (`/`-separated), size, mtime in whole seconds, mode. */
interface Entry {
  size: number;
  mtime: number;
  mode: number;
}

/**
 * Copy the files of `remoteDir` that differ (size or mtime, to the second) into `localDir`,
 * each through a temp file renamed into place, with the remote mtime and mode. A remote file
 * that changes while it is copied is not kept (the previous local copy stays). Nothing local
 * is deleted; a missing remote directory is an empty one. A lost connection throws
 * SshConnectionLostError (nothing torn is left: run it again after the reconnect).
 *
 *     await pullCheckpoint(ssh, "job/checkpoints", ".cache/checkpoints");
 */
export async function pullCheckpoint(
  ssh: SshSession,
  remoteDir: string,
  localDir: string,
): Promise<CheckpointTransfer> {
  const started = performance.now();
  const r: CheckpointTransfer = { files: 0, bytes: 0, unchanged: 0, changedDuringCopy: 0, durationMs: 0 };
  mkdirSync(localDir, { recursive: true });
  removeParts(localDir);
  const { now, files } = await listRemote(ssh, remoteDir, localDir);
  const landed: { rel: string; part: string; target: string; e: Entry; failed?: unknown }[] = [];
  try {
    for (const [rel, e] of files) {
      const target = join(localDir, ...rel.split("/"));
      if (same(localEntry(target), e)) {
        r.unchanged++;
        continue;
      }
      const part = join(dirname(target), `.${basename(target)}${PART_SUFFIX}`);
      mkdirSync(dirname(target), { recursive: true });
      // A file the job removed or replaced since the listing fails to copy: judged below.
      const failed = await ssh.download(posix.join(remoteDir, rel), part).then(
        () => undefined,
        (err: unknown) => {
          rmSync(part, { force: true });
          return err instanceof SshTransferError ? err : Promise.reject(err);
        },
      );
      landed.push({ rel, part, target, e, failed });
    }
    // A file rewritten while it was read may be torn: keep only what still matches the listing.
    const after = landed.length ? (await listRemote(ssh, remoteDir, localDir)).files : new Map<string, Entry>();
    let failure: unknown;
    for (const { rel, part, target, e, failed } of landed) {
      const now2 = after.get(rel);
      if (!now2 || now2.size !== e.size || now2.mtime !== e.mtime) {
        rmSync(part, { force: true });
        r.changedDuringCopy++;
        continue;
      }
      if (failed) {
        failure ??= failed;
        continue;
      }
      // Written in the listing's second, it may change again within that second without a new
      // mtime: stamp it a second early so the next pull copies it once more (git's "racy" rule).
      // One second of margin: file times come from the kernel's coarse clock, a tick behind date's.
      const mtime = e.mtime >= now - 1 ? e.mtime - 1 : e.mtime;
      utimesSync(part, mtime, mtime);
      renameSync(part, target);
      r.files++;
      r.bytes += e.size;
    }
    if (failure) throw failure;
  } finally {
    for (const { part } of landed) rmSync(part, { force: true });
  }
  r.durationMs = performance.now() - started;
  return r;
}

/**
 * Copy the files of `localDir` that differ from those in `remoteDir` (size or mtime) to the
 * server, with their mtime, so a later pull finds them unchanged. Nothing remote is deleted;
 * a missing or empty local directory pushes nothing (`files: 0`).
 *
 *     const { files } = await pushCheckpoint(ssh, ".cache/checkpoints", "job/checkpoints");
 *     const env = files > 0 ? { CLORE_JOB_RESUME: "1" } : {};
 */
export async function pushCheckpoint(
  ssh: SshSession,
  localDir: string,
  remoteDir: string,
): Promise<CheckpointTransfer> {
  const started = performance.now();
  const r: CheckpointTransfer = { files: 0, bytes: 0, unchanged: 0, changedDuringCopy: 0, durationMs: 0 };
  const local = listLocal(localDir);
  if (local.size > 0) {
    const remote = (await listRemote(ssh, remoteDir, localDir)).files;
    const byMtime = new Map<number, string[]>();
    for (const [rel, e] of local) {
      if (same(remote.get(rel), e)) {
        r.unchanged++;
        continue;
      }
      const t = await ssh.upload(join(localDir, ...rel.split("/")), posix.join(remoteDir, rel));
      r.files++;
      r.bytes += t.bytes;
      byMtime.set(e.mtime, [...(byMtime.get(e.mtime) ?? []), rel]);
    }
    await setRemoteMtimes(ssh, remoteDir, byMtime);
  }
  r.durationMs = performance.now() - started;
  return r;
}

const same = (a: Entry | undefined, b: Entry) => a !== undefined && a.size === b.size && a.mtime === b.mtime;

function localEntry(path: string): Entry | undefined {
  try {
    const st = statSync(path);
    return st.isFile() ? { size: st.size, mtime: Math.floor(st.mtimeMs / 1000), mode: st.mode & 0o777 } : undefined;
  } catch {
    return undefined;
  }
}

/** Regular files under dir (temp files of a pull left out), by `/`-separated relative path. */
function listLocal(dir: string): Map<string, Entry> {
  const out = new Map<string, Entry>();
  let names: string[];
  try {
    names = readdirSync(dir, { recursive: true }) as string[];
  } catch {
    return out;
  }
  for (const name of names.sort()) {
    if (name.endsWith(PART_SUFFIX)) continue;
    const e = localEntry(join(dir, name));
    if (e) out.set(relative(dir, join(dir, name)).split(sep).join("/"), e);
  }
  return out;
}

/** Temp files a killed pull left behind. */
function removeParts(dir: string): void {
  for (const name of readdirSync(dir, { recursive: true }) as string[])
    if (name.endsWith(PART_SUFFIX)) rmSync(join(dir, name), { force: true });
}

/**
 * One command lists the remote directory (size, mtime, mode of every regular file) with the
 * server's clock, for the racy-second rule. GNU stat and find, as on every Debian/Ubuntu image;
 * a name with a newline in it is skipped.
 */
async function listRemote(
  ssh: SshSession,
  remoteDir: string,
  localDir: string,
): Promise<{ now: number; files: Map<string, Entry> }> {
  const script = [
    "date +%s",
    `cd -- ${shellQuote(remoteDir)} 2>/dev/null || exit 0`,
    `find . -type f ! -name '*${PART_SUFFIX}' -exec stat -c '%s %Y %a %n' {} +`,
  ].join("\n");
  const lines: string[] = [];
  const res = await ssh.run(script, { onStdout: (l) => lines.push(l) });
  if (res.exitCode !== 0) {
    throw new SshTransferError(ssh.endpoint, {
      direction: "download",
      localPath: localDir,
      remotePath: remoteDir,
      reason: `listing the checkpoint directory failed (exit ${res.exitCode}): ${res.stderrTail.join(" ")}`,
    });
  }
  const files = new Map<string, Entry>();
  for (const l of lines.slice(1).sort()) {
    const m = /^(\d+) (\d+) ([0-7]+) \.\/(.+)$/.exec(l);
    if (m) files.set(m[4]!, { size: Number(m[1]), mtime: Number(m[2]), mode: Number.parseInt(m[3]!, 8) });
  }
  return { now: Number(lines[0]) || Math.floor(Date.now() / 1000), files };
}

/** One command stamps the pushed files with their local mtimes (coreutils touch, grouped by time). */
async function setRemoteMtimes(ssh: SshSession, remoteDir: string, byMtime: Map<number, string[]>): Promise<void> {
  if (byMtime.size === 0) return;
  const lines = [`cd -- ${shellQuote(remoteDir)} || exit 1`];
  for (const [mtime, rels] of byMtime) lines.push(`touch -c -m -d @${mtime} -- ${rels.map(shellQuote).join(" ")}`);
  await ssh.run(lines.join("\n"));
}
