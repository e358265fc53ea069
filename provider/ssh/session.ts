import type { Readable } from "node:stream";
import type { Client } from "ssh2";
import type { SshCommandRecord, SshConnectionLostError, SshEndpoint } from "../sdk";

/**
 * One logged-in SSH connection (from `connectSsh`): run commands, copy files. Close it when
 * done (`await using ssh = await connectSsh(…)` does).
 */
export interface SshSession extends AsyncDisposable {
  readonly endpoint: SshEndpoint;
  /** The server's host key fingerprint (`SHA256:…`), as trusted at connect. */
  readonly hostKey: string;
  /** Commands finished on this session, oldest first ("what had run" in later errors). */
  readonly history: readonly SshCommandRecord[];
  /** False once the connection closed, for whatever reason. */
  readonly connected: boolean;
  /**
   * Run `command` with the login shell, as `ssh host 'command'` does. Output is streamed line
   * by line as it arrives (`onStdout`, `onStderr`) and/or raw (`stdout`, `stderr`). Resolves
   * with the exit code, or the signal that ended it; with `check: true` a non-zero exit throws
   * SshCommandFailedError with the last lines of stderr. A `timeoutMs` kills the command's
   * process group on the server and throws SshCommandTimeoutError. A connection lost meanwhile
   * throws SshConnectionLostError naming the command and what had finished before it.
   *
   *     const { exitCode } = await ssh.run("python train.py", { cwd: "job", env: { EPOCHS: "3" }, onStdout: console.log });
   */
  run(command: string, options?: RunOptions): Promise<RunResult>;
  /** Copy a local file or directory tree to `remotePath` — the copy's own path, not a folder to put it in; relative = under the login directory. Sizes are checked (SshTransferError). */
  upload(localPath: string, remotePath: string): Promise<TransferResult>;
  /** Copy a remote file or directory tree to `localPath` (the copy's own path). Sizes are checked. */
  download(remotePath: string, localPath: string): Promise<TransferResult>;
  /** An interactive login shell wired to the given streams (a pty when `stdin` is a terminal); resolves with its exit code. */
  shell(options: ShellOptions): Promise<number>;
  close(): Promise<void>;
}

export interface RunOptions {
  /** Variables for the command (exported by the script: sshd's AcceptEnv would drop `env` requests). Values are never logged. */
  env?: Record<string, string>;
  /** Remote working directory; relative = under the login directory. Default: the login directory. */
  cwd?: string;
  /** Kill the command (its process group: SIGTERM, then SIGKILL after `killGraceMs`) and throw SshCommandTimeoutError. Default: no limit. */
  timeoutMs?: number;
  /** Between SIGTERM and SIGKILL on timeout. Default 2000 ms. */
  killGraceMs?: number;
  /** Each line of stdout as it arrives (without the newline). */
  onStdout?: (line: string) => void;
  /** Each line of stderr as it arrives. */
  onStderr?: (line: string) => void;
  /** Raw bytes, as they arrive (binary output, progress bars): any Writable, or anything with write(). */
  stdout?: ByteSink;
  stderr?: ByteSink;
  /** Fed to the command's stdin; without it stdin is closed at once. */
  stdin?: Readable;
  /** Throw SshCommandFailedError when the command exits non-zero or is killed. Default false. */
  check?: boolean;
  /** Lines of stderr kept for the result and errors. Default 20. */
  tailLines?: number;
}

/** Where raw output goes: a Writable, or e.g. `{ write: (b) => process.stdout.write(b) }`. */
export interface ByteSink {
  write(chunk: Buffer): unknown;
}

export interface RunResult {
  /** Null when a signal ended the command. */
  exitCode: number | null;
  /** E.g. "SIGKILL". */
  signal?: string;
  durationMs: number;
  stderrTail: string[];
}

export interface TransferResult {
  files: number;
  bytes: number;
  durationMs: number;
}

export interface ShellOptions {
  stdin: Readable;
  stdout: ByteSink;
  stderr: ByteSink;
  /** TERM for the pty. Default process.env.TERM or "xterm". */
  term?: string;
}

/** What the pieces of a session share (run-command, sftp-transfer, interactive-shell). */
export interface SessionLink {
  readonly client: Client;
  readonly endpoint: SshEndpoint;
  /** Commands finished on this session, oldest first. */
  readonly history: SshCommandRecord[];
  /** False once the connection closed, for whatever reason. */
  readonly connected: boolean;
  /** Resolves when the connection closes (ssh2 does not always fail SFTP requests in flight then). */
  readonly closed: Promise<void>;
  /** The error to throw when the connection is found closed during `during` (a command, or a transfer). */
  lost(during: string, startedAt: number, cause?: unknown, transfer?: boolean): SshConnectionLostError;
}

/** SshSession on an ssh2 Client (the documentation is on the interface). */
