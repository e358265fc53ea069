import { type Stats, constants as fsc, promises as fsp, realpathSync } from "node:fs";
import { dirname, join, posix, relative, isAbsolute } from "node:path";
import { type Attributes, type FileEntry, type SFTPWrapper, utils } from "ssh2";

const { STATUS_CODE, OPEN_MODE } = utils.sftp;
const READDIR_BATCH = 64;

/**
 * The sandbox as the client's file system, like OpenSSH's ChrootDirectory: "/" is the
 * sandbox directory and relative paths start there (it is also HOME and the cwd of exec).
 * A path that leaves it — by "..", or through a symlink pointing outside — is refused.
 */
export class SandboxPaths {
  private readonly realRoot: string;

  constructor(private readonly root: string) {
    this.realRoot = realpathSync(root);
  }

  /** The client's view: normalized and absolute, never above "/". */
  virtual(p: string): string {
    return posix.normalize(posix.join("/", p));
  }

  /** Where a client path really is, or undefined when it resolves outside the sandbox. */
  real(p: string): string | undefined {
    const candidate = join(this.root, this.virtual(p));
    // The nearest part of the path that exists must resolve (symlinks and all) inside.
    for (let probe = candidate; ; probe = dirname(probe)) {
      try {
        const resolved = realpathSync(probe);
        const rel = relative(this.realRoot, resolved);
        return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel)) ? candidate : undefined;
      } catch {
        if (dirname(probe) === probe) return undefined;
      }
    }
  }
}

type Handle = { kind: "file"; fd: fsp.FileHandle } | { kind: "dir"; path: string; names?: string[] };

/** Serve one SFTP channel (version 3, what ssh2 and OpenSSH's sftp/scp speak) on the sandbox. */
export function serveSftp(sftp: SFTPWrapper, root: string): void {
  const paths = new SandboxPaths(root);
  const handles = new Map<number, Handle>();
  let nextHandle = 1;
  const newHandle = (h: Handle) => {
    const id = nextHandle++;
    handles.set(id, h);
    const buf = Buffer.alloc(4);
    buf.writeUInt32BE(id);
    return buf;
  };
  const handleOf = (buf: Buffer) => (buf.length === 4 ? handles.get(buf.readUInt32BE(0)) : undefined);

  // One request at a time, answered in the order they came, as OpenSSH's sftp-server does:
  // its clients rely on it (scp truncates an upload at the last in-order acknowledged write).
  let queue = Promise.resolve();
  /** Handle a request; fs errors become SFTP status codes. */
  const on = <A extends unknown[]>(event: string, fn: (reqId: number, ...args: A) => Promise<void>) => {
    sftp.on(
      event as "OPEN",
      ((reqId: number, ...args: A) => {
        queue = queue.then(() =>
          fn(reqId, ...args).catch((e: NodeJS.ErrnoException) => sftp.status(reqId, statusOf(e), e.code ?? e.message)),
        );
      }) as never,
    );
  };
  const confined = (p: string): string => {
    const real = paths.real(p);
    if (real === undefined) throw Object.assign(new Error("outside the sandbox"), { code: "EACCES" });
    return real;
  };
  const ok = (reqId: number) => sftp.status(reqId, STATUS_CODE.OK);

  on("OPEN", async (reqId, filename: string, flags: number, attrs: Attributes) => {
    const fd = await fsp.open(
      confined(filename),
      openFlags(flags),
      typeof attrs?.mode === "number" ? attrs.mode & 0o7777 : 0o644,
    );
    sftp.handle(reqId, newHandle({ kind: "file", fd }));
  });
  on("READ", async (reqId, handle: Buffer, offset: number, length: number) => {
    const h = fileHandle(handleOf(handle));
    const buf = Buffer.allocUnsafe(length);
    const { bytesRead } = await h.read(buf, 0, length, offset);
    if (bytesRead === 0) sftp.status(reqId, STATUS_CODE.EOF);
    else sftp.data(reqId, buf.subarray(0, bytesRead));
  });
  on("WRITE", async (reqId, handle: Buffer, offset: number, data: Buffer) => {
    // `data` is a view into ssh2's packet buffer, which later packets overwrite: copy it
    // before the write goes to the thread pool.
    const bytes = Buffer.from(data);
    await fileHandle(handleOf(handle)).write(bytes, 0, bytes.length, offset);
    ok(reqId);
  });
  on("FSTAT", async (reqId, handle: Buffer) => sftp.attrs(reqId, attrsOf(await fileHandle(handleOf(handle)).stat())));
  on("FSETSTAT", async (reqId, handle: Buffer, attrs: Attributes) => {
    const fd = fileHandle(handleOf(handle));
    await applyAttrs(
      attrs,
      (m) => fd.chmod(m),
      (n) => fd.truncate(n),
      (a, m) => fd.utimes(a, m),
    );
    ok(reqId);
  });
  on("CLOSE", async (reqId, handle: Buffer) => {
    const h = handleOf(handle);
    if (!h) return sftp.status(reqId, STATUS_CODE.FAILURE, "bad handle");
    handles.delete(handle.readUInt32BE(0));
    if (h.kind === "file") await h.fd.close();
    ok(reqId);
  });
  on("OPENDIR", async (reqId, path: string) => {
    const real = confined(path);
    if (!(await fsp.stat(real)).isDirectory()) throw Object.assign(new Error("not a directory"), { code: "ENOTDIR" });
    sftp.handle(reqId, newHandle({ kind: "dir", path: real }));
  });
  on("READDIR", async (reqId, handle: Buffer) => {
    const h = handleOf(handle);
    if (h?.kind !== "dir") return sftp.status(reqId, STATUS_CODE.FAILURE, "bad handle");
    h.names ??= [".", "..", ...(await fsp.readdir(h.path)).sort()];
    const batch = h.names.splice(0, READDIR_BATCH);
    if (!batch.length) return sftp.status(reqId, STATUS_CODE.EOF);
    const entries: FileEntry[] = [];
    for (const name of batch) {
      const st = await fsp.lstat(join(h.path, name)).catch(() => undefined);
      if (st) entries.push({ filename: name, longname: longname(name, st), attrs: attrsOf(st) });
    }
    sftp.name(reqId, entries);
  });
  on("STAT", async (reqId, path: string) => sftp.attrs(reqId, attrsOf(await fsp.stat(confined(path)))));
  on("LSTAT", async (reqId, path: string) => sftp.attrs(reqId, attrsOf(await fsp.lstat(confined(path)))));
  on("SETSTAT", async (reqId, path: string, attrs: Attributes) => {
    const real = confined(path);
    await applyAttrs(
      attrs,
      (m) => fsp.chmod(real, m),
      (n) => fsp.truncate(real, n),
      (a, m) => fsp.utimes(real, a, m),
    );
    ok(reqId);
  });
  on("MKDIR", async (reqId, path: string, attrs: Attributes) => {
    await fsp.mkdir(confined(path), typeof attrs?.mode === "number" ? attrs.mode & 0o7777 : 0o755);
    ok(reqId);
  });
  on("RMDIR", async (reqId, path: string) => {
    await fsp.rmdir(confined(path));
    ok(reqId);
  });
  on("REMOVE", async (reqId, path: string) => {
    await fsp.unlink(confined(path));
    ok(reqId);
  });
  on("RENAME", async (reqId, from: string, to: string) => {
    const target = confined(to);
    // SFTP v3: renaming onto an existing file fails.
    if (
      await fsp.lstat(target).then(
        () => true,
        () => false,
      )
    )
      return sftp.status(reqId, STATUS_CODE.FAILURE, "target exists");
    await fsp.rename(confined(from), target);
    ok(reqId);
  });
  on("REALPATH", async (reqId, path: string) => {
    const v = paths.virtual(path);
    sftp.name(reqId, [{ filename: v, longname: v, attrs: {} as Attributes }]);
  });
  on("READLINK", async (reqId, path: string) => {
    const target = await fsp.readlink(confined(path));
    sftp.name(reqId, [{ filename: target, longname: target, attrs: {} as Attributes }]);
  });
  // A symlink could point out of the sandbox; the stand-in has no use for them.
  on("SYMLINK", async (reqId) => sftp.status(reqId, STATUS_CODE.OP_UNSUPPORTED));

  // After the client's EOF, ssh2 leaves the channel open and has no exit() for SFTP; OpenSSH
  // clients wait for the close, and scp exits 1 without the exit status sftp-server sends.
  sftp.on("end", () => {
    const channel = sftp as unknown as {
      _protocol?: { exitStatus(id: number, code: number): void };
      outgoing?: { id: number; state: string };
    };
    if (channel.outgoing?.state === "open") channel._protocol?.exitStatus(channel.outgoing.id, 0);
    sftp.end();
  });
  sftp.on("close", () => {
    for (const h of handles.values()) if (h.kind === "file") void h.fd.close().catch(() => undefined);
    handles.clear();
  });
}

/** SFTP pflags → open(2) flags, bit by bit (any combination a client sends). */
function openFlags(p: number): number {
  const rw = p & OPEN_MODE.READ && p & OPEN_MODE.WRITE ? fsc.O_RDWR : p & OPEN_MODE.WRITE ? fsc.O_WRONLY : fsc.O_RDONLY;
  const bit = (m: number, f: number) => (p & m ? f : 0);
  return (
    rw |
    bit(OPEN_MODE.APPEND, fsc.O_APPEND) |
    bit(OPEN_MODE.CREAT, fsc.O_CREAT) |
    bit(OPEN_MODE.TRUNC, fsc.O_TRUNC) |
    bit(OPEN_MODE.EXCL, fsc.O_EXCL)
  );
}

function fileHandle(h: Handle | undefined): fsp.FileHandle {
  if (h?.kind !== "file") throw Object.assign(new Error("bad handle"), { code: "EBADF" });
  return h.fd;
}

async function applyAttrs(
  a: Attributes | undefined,
  chmod: (m: number) => Promise<void>,
  truncate: (n: number) => Promise<void>,
  utimes: (a: number, m: number) => Promise<void>,
): Promise<void> {
  if (!a) return;
  if (typeof a.mode === "number") await chmod(a.mode & 0o7777);
  if (typeof a.size === "number") await truncate(a.size);
  if (typeof a.atime === "number" && typeof a.mtime === "number") await utimes(a.atime, a.mtime);
}

function attrsOf(st: Stats): Attributes {
  return {
    mode: st.mode,
    uid: st.uid,
    gid: st.gid,
    size: st.size,
    atime: Math.floor(st.atimeMs / 1000),
    mtime: Math.floor(st.mtimeMs / 1000),
  };
}

/** `ls -l` style line (OpenSSH's sftp shows it for `ls -l`). */
function longname(name: string, st: Stats): string {
  const type = st.isDirectory() ? "d" : st.isSymbolicLink() ? "l" : "-";
  const bits = "rwxrwxrwx".replace(/./g, (c, i) => (st.mode & (1 << (8 - i)) ? c : "-"));
  const date = new Date(st.mtimeMs).toISOString().slice(0, 16).replace("T", " ");
  return `${type}${bits} 1 ${st.uid} ${st.gid} ${String(st.size).padStart(10)} ${date} ${name}`;
}

function statusOf(e: NodeJS.ErrnoException): number {
  switch (e.code) {
    case "ENOENT":
    case "ENOTDIR":
      return STATUS_CODE.NO_SUCH_FILE;
    case "EACCES":
    case "EPERM":
      return STATUS_CODE.PERMISSION_DENIED;
    default:
      return STATUS_CODE.FAILURE;
  }
}
