import { chmodSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { dirname, join, posix } from "node:path";
import type { SFTPWrapper, Stats } from "ssh2";
import { SshTransferError, isCloreError } from "../sdk";
import type { TransferResult, SessionLink } from "./session";

// 64 requests of 32 KiB in flight (ssh2's defaults, stated here because throughput depends on them).
const FAST = { concurrency: 64, chunkSize: 32_768 };
const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;

type Direction = "upload" | "download";
interface Ctx {
  link: SessionLink;
  sftp: SFTPWrapper;
  direction: Direction;
  startedAt: number;
  files: number;
  bytes: number;
}

export function uploadPath(
  link: SessionLink,
  sftp: SFTPWrapper,
  local: string,
  remote: string,
): Promise<TransferResult> {
  return transfer({ link, sftp, direction: "upload" }, local, remote, async (ctx) => {
    const st = statSync(local);
    await mkdirs(sftp, st.isDirectory() ? remote : posix.dirname(remote));
    await (st.isDirectory() ? uploadDir(ctx, local, remote) : uploadFile(ctx, local, remote, st.size, st.mode));
  });
}

export function downloadPath(
  link: SessionLink,
  sftp: SFTPWrapper,
  remote: string,
  local: string,
): Promise<TransferResult> {
  return transfer({ link, sftp, direction: "download" }, local, remote, async (ctx) => {
    const st = await call<Stats>((cb) => sftp.stat(remote, cb));
    if (isDir(st.mode)) await downloadDir(ctx, remote, local);
    else {
      mkdirSync(dirname(local), { recursive: true });
      await downloadFile(ctx, remote, local, st.size, st.mode);
    }
  });
}

/** One transfer: counts files and bytes, times it, and turns failures into SSH errors (guard). */
async function transfer(
  on: Pick<Ctx, "link" | "sftp" | "direction">,
  local: string,
  remote: string,
  body: (ctx: Ctx) => Promise<void>,
): Promise<TransferResult> {
  const ctx: Ctx = { ...on, startedAt: performance.now(), files: 0, bytes: 0 };
  await guard(ctx, local, remote, () => body(ctx));
  return { files: ctx.files, bytes: ctx.bytes, durationMs: performance.now() - ctx.startedAt };
}

async function uploadDir(ctx: Ctx, local: string, remote: string): Promise<void> {
  for (const name of readdirSync(local).sort()) {
    const from = join(local, name);
    const to = posix.join(remote, name);
    const st = statSync(from);
    if (st.isDirectory()) {
      await mkdirs(ctx.sftp, to);
      await uploadDir(ctx, from, to);
    } else await uploadFile(ctx, from, to, st.size, st.mode);
  }
}

async function uploadFile(ctx: Ctx, local: string, remote: string, size: number, mode: number): Promise<void> {
  await guard(ctx, local, remote, async () => {
    await call((cb) => ctx.sftp.fastPut(local, remote, { ...FAST, mode: mode & 0o777 }, cb));
    const remoteSize = (await call<Stats>((cb) => ctx.sftp.stat(remote, cb))).size;
    checkSize(ctx, local, remote, size, remoteSize);
  });
}

async function downloadDir(ctx: Ctx, remote: string, local: string): Promise<void> {
  mkdirSync(local, { recursive: true });
  const entries = await call<{ filename: string; attrs: Stats }[]>((cb) => ctx.sftp.readdir(remote, cb));
  for (const e of entries.sort((a, b) => a.filename.localeCompare(b.filename))) {
    if (e.filename === "." || e.filename === "..") continue;
    const from = posix.join(remote, e.filename);
    const to = join(local, e.filename);
    if (isDir(e.attrs.mode)) await downloadDir(ctx, from, to);
    else await downloadFile(ctx, from, to, e.attrs.size, e.attrs.mode);
  }
}

async function downloadFile(ctx: Ctx, remote: string, local: string, size: number, mode: number): Promise<void> {
  await guard(ctx, local, remote, async () => {
    await call((cb) => ctx.sftp.fastGet(remote, local, FAST, cb));
    chmodSync(local, mode & 0o777);
    checkSize(ctx, local, remote, size, statSync(local).size);
  });
}

function checkSize(ctx: Ctx, local: string, remote: string, expected: number, actual: number): void {
  if (actual !== expected) {
    throw new SshTransferError(ctx.link.endpoint, {
      direction: ctx.direction,
      localPath: local,
      remotePath: remote,
      reason: `the copy has ${actual} bytes, the source ${expected}`,
      expectedBytes: expected,
      actualBytes: actual,
    });
  }
  ctx.files += 1;
  ctx.bytes += actual;
}

/** `mkdir -p` over SFTP. */
async function mkdirs(sftp: SFTPWrapper, dir: string): Promise<void> {
  if (dir === "" || dir === "." || dir === "/") return;
  const st = await call<Stats>((cb) => sftp.stat(dir, cb)).catch(() => undefined);
  if (st) {
    if (!isDir(st.mode)) throw new Error(`${dir} exists and is not a directory`);
    return;
  }
  await mkdirs(sftp, posix.dirname(dir));
  await call((cb) => sftp.mkdir(dir, cb));
}

/** Turn any failure into SshTransferError, or SshConnectionLostError when the connection went. */
async function guard(ctx: Ctx, local: string, remote: string, fn: () => Promise<void>): Promise<void> {
  try {
    // A transfer cut off by a closed connection may never call back: the close settles it.
    await Promise.race([fn(), ctx.link.closed.then(() => Promise.reject(new Error("connection closed")))]);
  } catch (e) {
    if (isCloreError(e)) throw e;
    if (!ctx.link.connected)
      throw ctx.link.lost(`${ctx.direction} ${ctx.direction === "upload" ? local : remote}`, ctx.startedAt, e, true);
    throw new SshTransferError(
      ctx.link.endpoint,
      { direction: ctx.direction, localPath: local, remotePath: remote, reason: reasonOf(e) },
      { cause: e },
    );
  }
}

function reasonOf(e: unknown): string {
  const err = e as { code?: string | number; message?: string };
  if (err.code === "ENOENT" || err.code === 2) return "no such file or directory";
  if (err.code === "EACCES" || err.code === 3) return "permission denied";
  return err.message ?? String(e);
}

const isDir = (mode: number) => (mode & S_IFMT) === S_IFDIR;

function call<T = void>(fn: (cb: (err: Error | null | undefined, value?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value as T))));
}
