import {
  JobInterruptedError,
  SshCommandFailedError,
  type SshCommandRecord,
  SshCommandTimeoutError,
  isCloreError,
} from "../sdk";
import type { TransferResult } from "../ssh";
import { LineTail } from "../ssh/line-splitter";
import type { JobConnection } from "./job-connection";
import type { JobLog } from "./job-log";
import { type JobId, attachJob, newJobId, startJob, stopJob } from "./remote";

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

/** How a run is driven from outside (runJob's run record and spend cap). */
export interface StepsControl {
  /** The job id of each command (a run's record fixes them in advance); default fresh ones. */
  ids?: readonly JobId[];
  /** Once aborted: the command in progress is stopped (stopJob), none after it starts, the downloads still run; throws its reason. */
  stop?: AbortSignal;
  /** Each download that arrived, as it arrives (also when the job fails afterwards). */
  onDownloaded?(d: PathPair, r: TransferResult): void;
}

/**
 * Upload, run, download, logging each step; throws the first failure. Each command runs as a
 * detached job on the server (remote/), attached to for its log: a lost connection is
 * reconnected by `conn` and the log resumes at the last line shown, with no gap or duplicate.
 */
export async function runSteps(
  conn: JobConnection,
  steps: JobSteps,
  log: JobLog,
  control: StepsControl = {},
): Promise<StepsResult> {
  const { stop, ids } = control;
  const uploaded = { files: 0, bytes: 0 };
  const downloaded = { files: 0, bytes: 0 };
  const completed = conn.completed;
  const ran = completed.length;
  const notRun = (i: number) => steps.commands.slice(i);
  let failure: unknown;
  for (const u of steps.upload ?? []) {
    if (stop?.aborted) {
      failure = stop.reason;
      break;
    }
    log(`upload ${u.local} → ${u.remote}`, "job");
    const during = `upload ${u.local}`;
    add(
      uploaded,
      await conn.use(
        () => ({ during, notRun: notRun(0) }),
        (ssh) => ssh.upload(u.local, u.remote),
      ),
      log,
    );
  }
  for (const [i, command] of steps.commands.entries()) {
    if (failure === undefined && stop?.aborted) failure = stop.reason;
    if (failure !== undefined) break;
    log(`$ ${command}`, "job");
    try {
      completed.push(await runDetached(conn, command, steps, log, notRun(i + 1), stop, ids?.[i]));
    } catch (e) {
      failure = e;
      break;
    }
  }
  // Artifacts (and the logs of a failed run) come back while the server can be reached.
  const reachable = !(failure instanceof JobInterruptedError) && conn.session.connected;
  for (const d of reachable ? (steps.download ?? []) : []) {
    log(`download ${d.remote} → ${d.local}`, "job");
    try {
      const during = `download ${d.remote}`;
      const r = await conn.use(
        () => ({ during, notRun: [] }),
        (ssh) => ssh.download(d.remote, d.local),
      );
      add(downloaded, r, log);
      control.onDownloaded?.(d, r);
    } catch (e) {
      if (failure === undefined) failure = e;
      else log(`not downloaded: ${isCloreError(e) ? e.message : String(e)}`, "job");
    }
  }
  if (failure !== undefined) throw failure;
  return { commands: completed.slice(ran), uploaded, downloaded };
}

/** One command as a detached job: start it (once), attach, re-attach after each outage from the last line. */
async function runDetached(
  conn: JobConnection,
  command: string,
  steps: JobSteps,
  log: JobLog,
  notRun: string[],
  stop: AbortSignal | undefined,
  jobId?: JobId,
): Promise<SshCommandRecord> {
  const started = performance.now();
  const id = jobId ?? newJobId(Date.now(), "step");
  let offset = 0;
  let begun = false;
  const tail = new LineTail(20);
  const where = () => ({ during: command, jobId: begun ? id : undefined, logBytes: offset, notRun });
  let timedOut = false;
  const halt = () => void stopJob(conn.session, id, { graceMs: 2000 }).catch(() => undefined);
  stop?.addEventListener("abort", halt, { once: true });
  const timer =
    steps.commandTimeoutMs !== undefined
      ? setTimeout(() => {
          timedOut = true;
          void stopJob(conn.session, id, { graceMs: 2000 }).catch(() => undefined);
        }, steps.commandTimeoutMs)
      : undefined;
  try {
    const { exitCode } = await conn.use(where, async (ssh) => {
      await startJob(ssh, { command, cwd: steps.cwd, env: steps.env }, { id });
      begun = true;
      if (stop?.aborted) halt(); // stopped while it was starting
      return attachJob(ssh, id, {
        fromOffset: offset,
        idleTimeoutMs: conn.idleTimeoutMs,
        onLine: (l) => {
          offset = l.endOffset;
          if (l.stream === "stderr") tail.add(l.text);
          log(l.text, l.stream);
        },
      });
    });
    const at = conn.session.endpoint;
    if (stop?.aborted) throw stop.reason;
    if (timedOut) throw new SshCommandTimeoutError(at, command, steps.commandTimeoutMs!, tail.get());
    if (exitCode !== 0) throw new SshCommandFailedError(at, command, exitCode, undefined, tail.get());
    return { command, exitCode, durationMs: performance.now() - started };
  } finally {
    clearTimeout(timer);
    stop?.removeEventListener("abort", halt);
  }
}

function add(total: Totals, r: TransferResult, log: JobLog): void {
  total.files += r.files;
  total.bytes += r.bytes;
  log(`${r.files} file(s), ${(r.bytes / 1e6).toFixed(1)} MB in ${(r.durationMs / 1000).toFixed(1)} s`, "job");
}
