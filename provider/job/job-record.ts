import { z } from "zod";
import { type SshSession, shellQuote } from "../ssh";
import { JobId, newJobId } from "./remote/job-id";

/**
 * A run's plan, kept on its server beside the jobs: which command runs as which job id, in which
 * directory with which variables, and what to download at the end. runJob writes it before the
 * first command; any process that can log in (`clore job … <stack>`) reads it and carries the
 * run on from where it stands — the server holds the truth, the stack only says where it is.
 */
export const JobRecord = z.object({
  version: z.literal(1),
  /** The stack that rented the server. */
  stack: z.string(),
  steps: z.array(z.object({ command: z.string(), jobId: JobId })).min(1),
  cwd: z.string().optional(),
  /** The commands' variables (the file is mode 0600, like each job's own env file). Never printed. */
  env: z.record(z.string(), z.string()).optional(),
  /** Remote → local copies after the commands; relative local paths are under the finishing process's directory. */
  download: z.array(z.object({ remote: z.string(), local: z.string() })),
  /** Started with `detach: true`: no runner stays attached; `clore job finish` completes it. */
  detached: z.boolean(),
  /** ISO time the record was written. */
  createdAt: z.string(),
});
export type JobRecord = z.infer<typeof JobRecord>;

/** Where the record of a stack's run lives on the server, relative to the login directory. */
export function recordPath(stack: string): string {
  return `.clore/runs/${stack.replace(/[^A-Za-z0-9._-]/g, "_")}.json`;
}

/** A fresh record: one job id per command, fixed before any of them starts. */
export function newJobRecord(o: {
  stack: string;
  commands: string[];
  cwd?: string;
  env?: Record<string, string>;
  download?: { remote: string; local: string }[];
  detached: boolean;
  now: number;
}): JobRecord {
  return {
    version: 1,
    stack: o.stack,
    steps: o.commands.map((command) => ({ command, jobId: newJobId(o.now, "step") })),
    ...(o.cwd !== undefined ? { cwd: o.cwd } : {}),
    ...(o.env && Object.keys(o.env).length ? { env: o.env } : {}),
    download: (o.download ?? []).map(({ remote, local }) => ({ remote, local })),
    detached: o.detached,
    createdAt: new Date(o.now).toISOString(),
  };
}

/** Write the record atomically (mode 0600). */
export async function writeJobRecord(ssh: SshSession, record: JobRecord): Promise<void> {
  const path = recordPath(record.stack);
  await ssh.run(
    `umask 077 && mkdir -p .clore/runs && printf '%s' ${shellQuote(JSON.stringify(record))} > ${path}.tmp && mv -f ${path}.tmp ${path}`,
    { check: true },
  );
}

/** The stack's record on this server; undefined when there is none (not a runJob stack, or none written yet). */
export async function readJobRecord(ssh: SshSession, stack: string): Promise<JobRecord | undefined> {
  const path = recordPath(stack);
  const chunks: Buffer[] = [];
  let missing = false;
  await ssh.run(`if [ -f ${path} ]; then cat ${path}; else echo missing >&2; fi`, {
    check: true,
    stdout: { write: (b: Buffer) => chunks.push(b) },
    onStderr: (l) => {
      if (l === "missing") missing = true;
    },
  });
  if (missing) return undefined;
  return JobRecord.parse(JSON.parse(Buffer.concat(chunks).toString("utf8")));
}
