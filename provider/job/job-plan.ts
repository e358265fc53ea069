import { JobNotFoundError, type SshCommandRecord } from "../sdk";
import type { SshSession } from "../ssh";
import type { JobConnection } from "./job-connection";
import type { JobRecord } from "./job-record";
import { type JobStatus, type LogLine, attachJob, jobStatus, startJob } from "./remote";

/** One command of a run and its job's state on the server (no status: not started yet). */
export interface StepState {
  index: number;
  command: string;
  jobId: string;
  status?: JobStatus;
}

/**
 * Where a run stands: `running` (its current job runs), `pending` (the next command is not
 * started: the runner stopped between two, or a detached run's later commands — `finish` starts
 * them), `exited` (a command failed, or all are done: `exitCode` says which), `lost` (a job died
 * without an exit code: killed, or the server restarted).
 */
export type RunState = "running" | "pending" | "exited" | "lost";

export interface RunStatus {
  state: RunState;
  /** With `exited`: the first non-zero exit code, or 0 when every command succeeded. */
  exitCode?: number;
  steps: StepState[];
  /** The step that is running, next, failed or lost; the last one when all succeeded. */
  current: StepState;
}

/** The state of every command of the run, from the job directories on the server. */
export async function runStatus(ssh: SshSession, record: JobRecord): Promise<RunStatus> {
  const steps: StepState[] = [];
  for (const [index, s] of record.steps.entries()) {
    const status = await jobStatus(ssh, s.jobId).catch((e: unknown) => {
      if (e instanceof JobNotFoundError) return undefined;
      throw e;
    });
    steps.push({ index, command: s.command, jobId: s.jobId, ...(status ? { status } : {}) });
  }
  return statusOf(steps);
}

/** The run's state from its steps' states (pure: the rules above). */
export function statusOf(steps: StepState[]): RunStatus {
  const current = steps.find((s) => !(s.status?.state === "exited" && s.status.exitCode === 0)) ?? steps.at(-1)!;
  const st = current.status;
  if (!st) return { state: "pending", steps, current };
  if (st.state === "exited") return { state: "exited", exitCode: st.exitCode, steps, current };
  return { state: st.state, steps, current };
}

export interface ContinueOptions {
  /** Each log line of the jobs attached to, once, in order. */
  onLine?: (line: LogLine, step: StepState) => void;
  /** The first attach starts at this byte of the current job's log (default 0: all of it). */
  fromOffset?: number;
  /** Told when a command is started or attached to. */
  onStep?: (step: StepState, how: "started" | "attached") => void;
}

/**
 * Carry the run on to its end from where it stands: attach to the job that runs, start the
 * commands not started yet (with the run's cwd and variables, under their recorded ids, so a
 * retried start never runs a second copy), stop at the first non-zero exit code. Reconnects
 * through `conn` and resumes each log at its last line. A run that has ended gives its current
 * job's log and exit code. JobLostError for a job that died
 * without an exit code.
 */
export async function continueRun(
  conn: JobConnection,
  record: JobRecord,
  o: ContinueOptions = {},
): Promise<{ exitCode: number; commands: SshCommandRecord[]; status: RunStatus }> {
  const status = await conn.use(
    () => ({ during: "status", notRun: [] }),
    (ssh) => runStatus(ssh, record),
  );
  const commands: SshCommandRecord[] = [];
  // An ended job is attached to as well: its log (from `fromOffset`) and exit code come at once.
  let from = o.fromOffset ?? 0;
  for (const step of status.steps.slice(status.current.index)) {
    const started = performance.now();
    let offset = from;
    from = 0;
    const notRun = record.steps.slice(step.index + 1).map((s) => s.command);
    const { exitCode } = await conn.use(
      () => ({ during: step.command, jobId: step.jobId, logBytes: offset, notRun }),
      async (ssh) => {
        if (!step.status) {
          await startJob(ssh, { command: step.command, cwd: record.cwd, env: record.env }, { id: step.jobId });
          o.onStep?.(step, "started");
        } else o.onStep?.(step, "attached");
        return attachJob(ssh, step.jobId, {
          fromOffset: offset,
          idleTimeoutMs: conn.idleTimeoutMs,
          onLine: (l) => {
            offset = l.endOffset;
            o.onLine?.(l, step);
          },
        });
      },
    );
    commands.push({ command: step.command, exitCode, durationMs: performance.now() - started });
    if (exitCode !== 0) return { exitCode, commands, status };
  }
  return { exitCode: 0, commands, status };
}
