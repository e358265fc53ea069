import { CloreError, type SshEndpoint } from "../../sdk";

const at = (e: SshEndpoint) => `${e.user}@${e.host}:${e.port}`;

/** No job with this id on the server (another server, or its directory was removed). */
export class JobNotFoundError extends CloreError {
  constructor(
    endpoint: SshEndpoint,
    readonly jobId: string,
  ) {
    super(
      "CLORE_JOB_NOT_FOUND",
      `${at(endpoint)}: no job ${jobId} on this server. Is it the server the job ran on? "clore job list" shows the jobs there.`,
    );
  }
}

/** The job's wrapper is gone without an exit code: it was killed (SIGKILL) or the server restarted. */
export class JobLostError extends CloreError {
  constructor(
    endpoint: SshEndpoint,
    readonly jobId: string,
    /** Bytes of its log that were read. */
    readonly logBytes: number,
  ) {
    super(
      "CLORE_JOB_LOST",
      `${at(endpoint)}: job ${jobId} ended without an exit code (killed, or the server restarted); its log up to byte ${logBytes} was read. Start it again.`,
    );
  }
}
