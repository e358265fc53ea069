import { constants } from "node:os";
import { JobCleanupError, JobRestartsSpentError, SshCommandFailedError } from "../sdk";

/**
 * The exit code a CI script should end with after `runJob` threw: the failed command's own
 * (128 + n when a signal killed it, as shells report it), 1 for anything else — an up that
 * failed, a refused login, a lost connection, a failed cleanup.
 */
export function exitCodeFor(e: unknown): number {
  if (e instanceof JobCleanupError) return e.jobError === undefined ? 1 : exitCodeFor(e.jobError);
  if (e instanceof JobRestartsSpentError) return exitCodeFor(e.cause);
  if (!(e instanceof SshCommandFailedError)) return 1;
  if (e.exitCode) return e.exitCode;
  const signal = e.signal ? constants.signals[e.signal as keyof typeof constants.signals] : undefined;
  return signal ? 128 + signal : 1;
}
