import type { Client, SFTPWrapper } from "ssh2";
import { SshConnectionLostError, type SshCommandRecord, type SshEndpoint } from "../sdk";
import { openShell } from "./interactive-shell";
import { runRemote } from "./run-command";
import type { RunOptions, RunResult, SessionLink, ShellOptions, SshSession, TransferResult } from "./session";
import { downloadPath, uploadPath } from "./sftp-transfer";

export class Ssh2Session implements SshSession, SessionLink {
  readonly history: SshCommandRecord[] = [];
  readonly closed: Promise<void>;
  #connected = true;
  #sftp?: Promise<SFTPWrapper>;

  /** @param hostKey the server's host key fingerprint (`SHA256:…`), as trusted at connect. */
  constructor(
    readonly client: Client,
    readonly endpoint: SshEndpoint,
    readonly hostKey: string,
  ) {
    this.closed = new Promise((resolve) =>
      client.on("close", () => {
        this.#connected = false;
        this.#sftp = undefined;
        resolve();
      }),
    );
    // Socket errors end in "close"; without a listener they would crash the process.
    client.on("error", () => undefined);
  }

  get connected(): boolean {
    return this.#connected;
  }

  lost(during: string, startedAt: number, cause?: unknown, transfer = false): SshConnectionLostError {
    return new SshConnectionLostError(this.endpoint, during, performance.now() - startedAt, [...this.history], {
      cause,
      transfer,
    });
  }

  async run(command: string, options: RunOptions = {}): Promise<RunResult> {
    return runRemote(this, command, options);
  }

  async upload(localPath: string, remotePath: string): Promise<TransferResult> {
    return uploadPath(this, await this.sftp(`upload ${localPath}`), localPath, remotePath);
  }

  async download(remotePath: string, localPath: string): Promise<TransferResult> {
    return downloadPath(this, await this.sftp(`download ${remotePath}`), remotePath, localPath);
  }

  shell(options: ShellOptions): Promise<number> {
    return openShell(this, options);
  }

  close(): Promise<void> {
    if (!this.#connected) return Promise.resolve();
    return new Promise((resolve) => {
      this.client.once("close", () => resolve());
      this.client.end();
    });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** One SFTP channel per connection, opened on first use. */
  private sftp(during: string): Promise<SFTPWrapper> {
    const startedAt = performance.now();
    if (!this.#connected) return Promise.reject(this.lost(during, startedAt, undefined, true));
    this.#sftp ??= new Promise<SFTPWrapper>((resolve, reject) => {
      this.client.sftp((err, sftp) =>
        err ? reject(this.#connected ? err : this.lost(during, startedAt, err, true)) : resolve(sftp),
      );
    });
    const p = this.#sftp;
    p.catch(() => {
      if (this.#sftp === p) this.#sftp = undefined;
    });
    return p;
  }
}
