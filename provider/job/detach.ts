import type { Stack } from "@pulumi/pulumi/automation";
import type { JobConnection } from "./job-connection";
import type { JobLog } from "./job-log";
import { type JobRecord, newJobRecord, recordPath, writeJobRecord } from "./job-record";
import { type JobSteps, type StepsResult, runSteps } from "./job-steps";
import { startJob } from "./remote";

/** Stack tags a run sets (where the backend keeps tags): the SSH host key its runner saw, and the run's first job. */
export const STACK_TAG = { hostKey: "clore:host-key", job: "clore:job" } as const;

/** A job `runJob({ detach: true })` left running, and where to find it again. */
export interface DetachedJob {
  /** The detached job's id on the server (`clore job status <stack>` shows it too). */
  jobId: string;
  stackName: string;
  orderId?: number;
  host: string;
  port: number;
  /** The run's record on the server (relative to the login directory). */
  record: string;
}

/**
 * Keep the run's plan where any process finds it: the record on the server (job ids, cwd,
 * variables, downloads), and in the stack's tags the host key the runner trusted, so a later
 * `clore job …` pins it rather than trusting a new one. A backend without tags only loses the pin.
 */
export async function recordRun(
  conn: JobConnection,
  stack: Stack,
  o: JobSteps & { stackName: string; detach?: boolean },
  hostKey: string | undefined,
  log: JobLog,
): Promise<JobRecord | undefined> {
  if (o.commands.length === 0) return undefined;
  const record = newJobRecord({ ...o, stack: o.stackName, detached: Boolean(o.detach), now: Date.now() });
  await conn.use(
    () => ({ during: `write ${recordPath(record.stack)}`, notRun: record.steps.map((s) => s.command) }),
    (ssh) => writeJobRecord(ssh, record),
  );
  try {
    if (hostKey) await stack.setTag(STACK_TAG.hostKey, hostKey);
    await stack.setTag(STACK_TAG.job, record.steps[0]!.jobId);
  } catch (e) {
    const why = (e instanceof Error ? e.message : String(e)).split("\n").find((l) => l.trim()) ?? "";
    log(`stack tags not set (${why.trim()}): a later clore job trusts the host key on first use`, "job");
  }
  return record;
}

/**
 * Upload, then start the first command as a detached job and return at once: the later
 * commands and the downloads are what `clore job finish <stack>` does.
 */
export async function startDetached(
  conn: JobConnection,
  steps: JobSteps,
  record: JobRecord,
  server: { orderId?: number; host: string; port: number },
  log: JobLog,
): Promise<StepsResult & { detached: DetachedJob }> {
  const uploaded = await runSteps(conn, { ...steps, commands: [], download: [] }, log);
  const first = record.steps[0]!;
  log(`$ ${first.command} (detached: job ${first.jobId})`, "job");
  await conn.use(
    () => ({ during: first.command, notRun: record.steps.slice(1).map((s) => s.command) }),
    (ssh) => startJob(ssh, { command: first.command, cwd: record.cwd, env: record.env }, { id: first.jobId }),
  );
  return {
    ...uploaded,
    detached: { jobId: first.jobId, stackName: record.stack, ...server, record: recordPath(record.stack) },
  };
}

/** The tags a run set on its stack; none when the backend keeps no tags. */
export async function jobStackTags(stack: Stack): Promise<{ hostKey?: string; job?: string }> {
  const tags = await stack.listTags().catch(() => ({}) as Record<string, string>);
  return {
    ...(tags[STACK_TAG.hostKey] ? { hostKey: tags[STACK_TAG.hostKey] } : {}),
    ...(tags[STACK_TAG.job] ? { job: tags[STACK_TAG.job] } : {}),
  };
}
