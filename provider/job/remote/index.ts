/**
 * Detached jobs on a rented server: a command in its own directory and session, its log and
 * exit code in files, so it outlives the SSH connection that started it. Any process that can
 * log in can attach to it again by id, from a byte offset, with no gap and no duplicate.
 */
export { JobId, JOBS_DIR, jobDir, newJobId } from "./job-id";
export {
  type JobSpec,
  type JobState,
  type JobStatus,
  type LogLine,
  LogReader,
  LOG_PREFIX,
  attachScript,
  listScript,
  parseStatus,
  startScript,
  statusScript,
  stopScript,
  wrapperScript,
} from "./scripts";
export {
  type AttachOptions,
  type AttachResult,
  type StartedJob,
  attachJob,
  jobStatus,
  listJobs,
  startJob,
  stopJob,
} from "./remote-job";
export { JobLostError, JobNotFoundError } from "../../sdk";
