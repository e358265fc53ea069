import { randomBytes } from "node:crypto";
import { z } from "zod";

/**
 * A detached job's id: printable, safe in a path and a shell word, sortable by start time.
 * `<name>-<UTC yyyymmddThhmmss>Z-<6 hex>`, the name part (lower-case letters, digits, `-`,
 * up to 32) only when the job was given one, e.g. `train-20261207T130512Z-a1b2c3`.
 */
export const JobId = z
  .string()
  .regex(
    /^(?:[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?-)?\d{8}T\d{6}Z-[0-9a-f]{6}$/,
    "must be a job id as startJob prints it, e.g. train-20261207T130512Z-a1b2c3",
  )
  .meta({ description: "A detached job's id (`<name>-<UTC start>-<hex>`)." });
export type JobId = z.infer<typeof JobId>;

/** A fresh id for a job started at `now` (ms since the epoch), named after `name` if given. */
export function newJobId(now: number, name?: string): JobId {
  const stamp = new Date(now)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  const slug = (name ?? "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 32)
    .replace(/-+$/, "");
  return `${slug ? `${slug}-` : ""}${stamp}-${randomBytes(3).toString("hex")}`;
}

/** Where jobs live on the server, relative to the login directory. */
export const JOBS_DIR = ".clore/jobs";

/** A job's directory on the server, relative to the login directory. */
export function jobDir(id: JobId): string {
  return `${JOBS_DIR}/${JobId.parse(id)}`;
}
