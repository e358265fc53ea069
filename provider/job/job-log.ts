/** Where a line of the job's log came from. */
export type JobLogSource = "stdout" | "stderr" | "pulumi" | "job";

/** A job log: every line as it happens. */
export type JobLog = (line: string, source: JobLogSource) => void;

/**
 * The default log for a CI step: the remote command's stdout on this process's stdout, its
 * stderr, Pulumi's output and the runner's progress on stderr (CI shows both, in order).
 */
export const ciLog: JobLog = (line, source) => {
  if (source === "stdout") process.stdout.write(`${line}\n`);
  else process.stderr.write(source === "job" ? `[clore-job] ${line}\n` : `${line}\n`);
};
