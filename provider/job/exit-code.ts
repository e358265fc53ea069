import { constants } from "node:os";
import { isCloreError } from "../sdk";

/**
 * The exit code a CI script should end with after `runJob` threw: the failed command's own
 * (128 + n when a signal killed it, as shells report it), 1 for anything else — an up that
 * failed, a refused login, a lost connection, a failed cleanup.
 */
export function exitCodeFor(e: unknown): number {
  if (!isCloreError(e)) return 1;
  const err = e as unknown as { code: string; exitCode?: number | null; signal?: string; jobError?: unknown };
  if (err.code === "CLORE_JOB_CLEANUP_FAILED") return err.jobError === undefined ? 1 : exitCodeFor(err.jobError);
  if (err.code !== "CLORE_SSH_COMMAND_FAILED") return 1;
  if (err.exitCode) return err.exitCode;
  const signal = err.signal ? constants.signals[err.signal as keyof typeof constants.signals] : undefined;
  return signal ? 128 + signal : 1;
}
