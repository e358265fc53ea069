import { isCloreError, type SshCommandRecord } from "../sdk";
import type { SshSession, TransferResult } from "../ssh";
import type { JobLog } from "./job-log";

/** A copy between this machine and the server; remote paths are relative to the login directory. */
export interface PathPair {
  local: string;
  remote: string;
}

export interface JobSteps {
  /** Copied before the commands, local → remote (`remote` is the copy's own path). */
  upload?: PathPair[];
  /** Shell commands, run in order; the first non-zero exit fails the job (SshCommandFailedError). */
  commands: string[];
  /** Copied after the commands, remote → local; also after a failed command, so its logs come back. */
  download?: PathPair[];
  /** Variables for the commands. Values are never printed. */
  env?: Record<string, string>;
  /** Remote working directory of the commands (relative = under the login directory). */
  cwd?: string;
  /** Per command: after this, its process group is killed (SshCommandTimeoutError). Default: no limit. */
  commandTimeoutMs?: number;
}

export interface StepsResult {
  commands: SshCommandRecord[];
  uploaded: Totals;
  downloaded: Totals;
}

export interface Totals {
  files: number;
  bytes: number;
}

/** Upload, run, download on a connected session, logging each step; throws the first failure. */
export async function runSteps(ssh: SshSession, steps: JobSteps, log: JobLog): Promise<StepsResult> {
  const uploaded = { files: 0, bytes: 0 };
  const downloaded = { files: 0, bytes: 0 };
  for (const u of steps.upload ?? []) {
    log(`upload ${u.local} → ${u.remote}`, "job");
    add(uploaded, await ssh.upload(u.local, u.remote), log);
  }
  let failure: unknown;
  const ran = ssh.history.length;
  for (const command of steps.commands) {
    log(`$ ${command}`, "job");
    try {
      await ssh.run(command, {
        env: steps.env,
        cwd: steps.cwd,
        timeoutMs: steps.commandTimeoutMs,
        check: true,
        onStdout: (l) => log(l, "stdout"),
        onStderr: (l) => log(l, "stderr"),
      });
    } catch (e) {
      failure = e;
      break;
    }
  }
  // Artifacts (and the logs of a failed run) come back while the connection lasts.
  for (const d of ssh.connected ? (steps.download ?? []) : []) {
    log(`download ${d.remote} → ${d.local}`, "job");
    try {
      add(downloaded, await ssh.download(d.remote, d.local), log);
    } catch (e) {
      if (failure === undefined) failure = e;
      else log(`not downloaded: ${isCloreError(e) ? e.message : String(e)}`, "job");
    }
  }
  if (failure !== undefined) throw failure;
  return { commands: ssh.history.slice(ran), uploaded, downloaded };
}

function add(total: Totals, r: TransferResult, log: JobLog): void {
  total.files += r.files;
  total.bytes += r.bytes;
  log(`${r.files} file(s), ${(r.bytes / 1e6).toFixed(1)} MB in ${(r.durationMs / 1000).toFixed(1)} s`, "job");
}
