import { LineSplitter, type SshSession } from "../../ssh";
import { type Clock, JobLostError, JobNotFoundError, SshConnectionLostError, systemClock } from "../../sdk";
import { type JobId, jobDir, newJobId } from "./job-id";
import {
  type JobSpec,
  type JobStatus,
  type LogLine,
  LogReader,
  MARK,
  attachScript,
  listScript,
  parseStatus,
  startScript,
  statusScript,
  stopScript,
} from "./scripts";

export interface StartedJob {
  id: JobId;
  /** Its directory on the server, relative to the login directory. */
  dir: string;
  pid: number;
}

/**
 * Start `spec.command` as a detached job: its own directory, a new session, stdin from
 * /dev/null and its output into the job's log — a hang-up, a broken pipe or a dropped
 * connection does not touch it. Returns once it runs. Give `id` (newJobId) to retry a start
 * whose connection dropped: a job already started under it is not started again.
 *
 *     const job = await startJob(ssh, { command: "python3 train.py", cwd: "job", name: "train" });
 */
export async function startJob(
  session: SshSession,
  spec: JobSpec,
  o: { id?: JobId; clock?: Clock } = {},
): Promise<StartedJob> {
  const id = o.id ?? newJobId((o.clock ?? systemClock).now(), spec.name);
  let out = "";
  await session.run(startScript(id, spec), { check: true, onStdout: (l) => (out = l) });
  return { id, dir: jobDir(id), pid: Number(out) };
}

export interface AttachOptions {
  /** Byte offset in the job's log to stream from (0: from the start; a LogLine's endOffset: after it). */
  fromOffset?: number;
  /** Each line of the job's log, once, in order. */
  onLine?: (line: LogLine) => void;
  /**
   * No byte (log or heartbeat, sent every ~1 s) for this long means the link is dead though
   * the connection looks open (a silent partition): attach throws SshConnectionLostError.
   * Default 10 000 ms.
   */
  idleTimeoutMs?: number;
}

export interface AttachResult {
  exitCode: number;
  /** Offset after the last line: the log's end. */
  endOffset: number;
}

/**
 * Stream the job's log from `fromOffset` to its end and return its exit code. A dropped
 * connection throws SshConnectionLostError; attach again (on a new session) from the last
 * line's `endOffset` for no gap and no duplicate. A job that died without an exit code
 * throws JobLostError; an unknown id JobNotFoundError.
 */
export async function attachJob(session: SshSession, id: JobId, o: AttachOptions = {}): Promise<AttachResult> {
  const from = o.fromOffset ?? 0;
  const reader = new LogReader(from, (l) => o.onLine?.(l));
  let exitCode: number | undefined;
  let mark: string | undefined;
  const idleMs = o.idleTimeoutMs ?? 10_000;
  const startedAt = performance.now();
  let stalled: (() => void) | undefined;
  const stall = new Promise<never>((_, reject) => {
    stalled = () =>
      reject(
        new SshConnectionLostError(
          session.endpoint,
          `attach ${id}`,
          performance.now() - startedAt,
          [...session.history],
          {
            cause: new Error(`no data from the server for ${idleMs} ms`),
          },
        ),
      );
  });
  stall.catch(() => undefined);
  let timer = setTimeout(() => stalled?.(), idleMs);
  const alive = () => {
    clearTimeout(timer);
    timer = setTimeout(() => stalled?.(), idleMs);
  };
  const control = new LineSplitter((l) => {
    if (l.startsWith(MARK.exit)) exitCode = Number(l.slice(MARK.exit.length));
    else if (l === MARK.lost || l === MARK.missing) mark = l;
  });
  try {
    const run = session.run(attachScript(id, from), {
      stdout: {
        write: (b: Buffer) => {
          alive();
          reader.push(b);
        },
      },
      stderr: {
        write: (b: Buffer) => {
          alive();
          control.push(b);
        },
      },
    });
    await Promise.race([run, stall]);
  } finally {
    clearTimeout(timer);
    stalled = undefined;
  }
  control.end();
  if (mark === MARK.missing) throw new JobNotFoundError(session.endpoint, id);
  if (mark === MARK.lost) throw new JobLostError(session.endpoint, id, reader.offset);
  if (exitCode === undefined || Number.isNaN(exitCode))
    throw new SshConnectionLostError(session.endpoint, `attach ${id}`, performance.now() - startedAt, [
      ...session.history,
    ]);
  return { exitCode, endOffset: reader.offset };
}

/** One job's state on the server; JobNotFoundError for an unknown id. */
export async function jobStatus(session: SshSession, id: JobId): Promise<JobStatus> {
  const [s] = parseStatus(await output(session, statusScript(id)));
  if (!s) throw new JobNotFoundError(session.endpoint, id);
  return s;
}

/** Every job on the server, oldest first. */
export async function listJobs(session: SshSession): Promise<JobStatus[]> {
  return parseStatus(await output(session, listScript()));
}

/**
 * Stop a job: SIGTERM to its process group, SIGKILL after `graceMs` (default 10 000) if it
 * has not ended. Resolves with its status (exited; 143 after TERM, 137 after KILL, as shells
 * report them). A job that already ended is left as it is.
 */
export async function stopJob(session: SshSession, id: JobId, o: { graceMs?: number } = {}): Promise<JobStatus> {
  let missing = false;
  await session.run(stopScript(id, (o.graceMs ?? 10_000) / 1000), {
    onStderr: (l) => {
      if (l === MARK.missing) missing = true;
    },
  });
  if (missing) throw new JobNotFoundError(session.endpoint, id);
  return jobStatus(session, id);
}

async function output(session: SshSession, script: string): Promise<string> {
  const chunks: Buffer[] = [];
  await session.run(script, { check: true, stdout: { write: (b: Buffer) => chunks.push(b) } });
  return Buffer.concat(chunks).toString("utf8");
}
