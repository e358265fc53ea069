import { setTimeout as delay } from "node:timers/promises";
import { JobInterruptedError, SshConnectionLostError, isCloreError } from "../sdk";
import { type CheckpointSettings, type CheckpointTransfer, pullCheckpoint, pushCheckpoint } from "./checkpoint";
import type { JobConnection } from "./job-connection";
import type { JobLog } from "./job-log";

/** Set in the commands' env when a checkpoint was pushed before them. */
export const RESUME_ENV = "CLORE_JOB_RESUME";

/** While a pull waits for the step's reconnect, it looks for the new session this often (no network). */
const RECONNECT_LOOK_MS = 1000;

export interface CheckpointSyncSpec {
  conn: JobConnection;
  /** Undefined: no checkpoints, `body` runs alone. */
  checkpoint: CheckpointSettings | undefined;
  /** The job's commands (for the error if the push cannot finish). */
  commands: string[];
  log: JobLog;
  /** Waits between pulls (tests pass one that needs no real time); must reject or resolve at once on abort. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/**
 * Run `body` (the job's steps) with checkpoints: first push `localDir` to `remoteDir` (when it
 * has files, `body` gets `CLORE_JOB_RESUME=1` for the commands' env), then pull `remoteDir`
 * every `intervalMs` while it runs, and once more when it ends — after a failed command too,
 * unless the server is gone. A periodic pull cut by a lost connection is redone on the new
 * session as soon as the step's reconnect brings it; no pull ever fails the job.
 */
export async function withCheckpoints<T>(
  spec: CheckpointSyncSpec,
  body: (env: Record<string, string>) => Promise<T>,
): Promise<T> {
  const { conn, checkpoint: cp, log } = spec;
  if (!cp) return body({});
  const sleep = spec.sleep ?? ((ms, signal) => delay(ms, undefined, { signal }));
  const pushed = await conn.use(
    () => ({ during: `checkpoint push ${cp.localDir}`, notRun: spec.commands }),
    (ssh) => pushCheckpoint(ssh, cp.localDir, cp.remoteDir),
  );
  const restored = pushed.files + pushed.unchanged;
  if (restored > 0)
    log(
      `checkpoint: restored ${restored} file(s) from ${cp.localDir} to ${cp.remoteDir} (${summary(pushed)}); the job resumes (${RESUME_ENV}=1)`,
      "job",
    );

  const stop = new AbortController();
  const rest = (ms: number) => sleep(ms, stop.signal).catch(() => undefined);
  const pull = async () => {
    for (;;) {
      const ssh = conn.session;
      if (ssh.connected) {
        try {
          const r = await pullCheckpoint(ssh, cp.remoteDir, cp.localDir);
          if (r.files > 0 || r.changedDuringCopy > 0) log(`checkpoint: pulled ${summary(r)}`, "job");
          return;
        } catch (e) {
          if (!(e instanceof SshConnectionLostError) && ssh.connected) {
            log(`checkpoint: pull failed (${message(e)}); next try in ${cp.intervalMs / 1000} s`, "job");
            return;
          }
        }
      }
      // The step in progress reconnects (JobConnection.use); a second reconnect here would race it.
      await rest(RECONNECT_LOOK_MS);
      if (stop.signal.aborted) return;
    }
  };
  const loop = (async () => {
    for (;;) {
      await rest(cp.intervalMs);
      if (stop.signal.aborted) return;
      await pull();
    }
  })();

  let failure: unknown;
  try {
    return await body(restored > 0 ? { [RESUME_ENV]: "1" } : {});
  } catch (e) {
    failure = e;
    throw e;
  } finally {
    stop.abort();
    await loop;
    if (failure instanceof JobInterruptedError || (failure !== undefined && !conn.session.connected))
      log(`checkpoint: no final pull (the server cannot be reached); ${cp.localDir} holds the last one`, "job");
    else {
      try {
        const r = await conn.use(
          () => ({ during: `checkpoint pull ${cp.remoteDir}`, notRun: [] }),
          (ssh) => pullCheckpoint(ssh, cp.remoteDir, cp.localDir),
        );
        log(`checkpoint: final pull of ${cp.remoteDir} into ${cp.localDir}: ${summary(r)}`, "job");
      } catch (e) {
        log(`checkpoint: final pull failed (${message(e)}); ${cp.localDir} holds the last one`, "job");
      }
    }
  }
}

function summary(r: CheckpointTransfer): string {
  const moved = `${r.files} file(s), ${(r.bytes / 1e6).toFixed(1)} MB in ${(r.durationMs / 1000).toFixed(1)} s`;
  const changing = r.changedDuringCopy ? `, ${r.changedDuringCopy} changing (taken next time)` : "";
  return `${moved}, ${r.unchanged} unchanged${changing}`;
}

const message = (e: unknown) => (isCloreError(e) || e instanceof Error ? e.message : String(e));
