import { type ConfigMap, LocalWorkspace, type Stack } from "@pulumi/pulumi/automation";
import { JobCleanupError } from "../sdk";
import { LineSplitter } from "../ssh";

export interface EphemeralStackSpec {
  workDir: string;
  stackName: string;
  config: ConfigMap;
  /** Environment of the Pulumi engine; default this process's. */
  env?: Record<string, string>;
  /** Pulumi's output, line by line. */
  onPulumi(line: string): void;
  /** The runner's own progress. */
  onStep(line: string): void;
  /**
   * Leave the stack up when `use` succeeds (a detached job runs on; `clore job finish`
   * destroys it later). A failed `use` or up is destroyed as always.
   */
  keepOnSuccess?: boolean;
}

export interface StackHandle {
  /**
   * `pulumi refresh` then `pulumi up` again: a resource the API says has ended (a lost order)
   * leaves the state at the refresh, and the up creates it anew. Returns the new outputs.
   */
  upAgain(): Promise<Record<string, unknown>>;
  /** The stack itself (its tags hold a detached run's record). */
  stack: Stack;
}

/**
 * `pulumi up` a stack, hand its outputs to `use`, then `pulumi destroy` it and remove it —
 * whether `use` succeeded, failed, or the up itself failed (which may have rented a server).
 * A failed destroy throws JobCleanupError (carrying the job's own error), because then an
 * order may still bill.
 */
export async function withEphemeralStack<T>(
  s: EphemeralStackSpec,
  use: (outputs: Record<string, unknown>, stack: StackHandle) => Promise<T>,
): Promise<T> {
  const stack = await LocalWorkspace.createOrSelectStack(
    { workDir: s.workDir, stackName: s.stackName },
    s.env ? { envVars: s.env } : {},
  );
  let outcome: { ok: true; value: T } | { ok: false; error: unknown };
  try {
    await stack.setAllConfig(s.config);
    const up = async () => {
      s.onStep(`pulumi up (stack ${s.stackName})`);
      const r = await withLines(s.onPulumi, (onOutput) => stack.up({ onOutput }));
      return Object.fromEntries(Object.entries(r.outputs).map(([k, v]) => [k, v.value]));
    };
    const upAgain = async () => {
      s.onStep(`pulumi refresh (stack ${s.stackName})`);
      await withLines(s.onPulumi, (onOutput) => stack.refresh({ onOutput }));
      return up();
    };
    outcome = { ok: true, value: await use(await up(), { upAgain, stack }) };
  } catch (error) {
    outcome = { ok: false, error };
  }
  if (outcome.ok && s.keepOnSuccess) {
    s.onStep(`stack ${s.stackName} left up`);
    return outcome.value;
  }
  s.onStep(`pulumi destroy (stack ${s.stackName})`);
  await destroyStack(stack, s.onPulumi, outcome.ok ? undefined : outcome.error);
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}

/**
 * `pulumi destroy` the stack and remove it; JobCleanupError (carrying `jobError`, the job's own
 * failure if any) when that fails, because then an order may still bill.
 */
export async function destroyStack(stack: Stack, onPulumi: (line: string) => void, jobError?: unknown): Promise<void> {
  try {
    await withLines(onPulumi, (onOutput) => stack.destroy({ onOutput }));
    await stack.workspace.removeStack(stack.name);
  } catch (e) {
    throw new JobCleanupError(stack.name, stack.workspace.workDir, firstLine(e), { cause: e, jobError });
  }
}

/** Pulumi's onOutput hands out chunks; the log wants lines. */
async function withLines<T>(
  onLine: (line: string) => void,
  run: (onOutput: (chunk: string) => void) => Promise<T>,
): Promise<T> {
  const lines = new LineSplitter(onLine);
  try {
    return await run((chunk) => lines.push(chunk));
  } finally {
    lines.end();
  }
}

function firstLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return (
    text
      .split("\n")
      .find((l) => l.trim() !== "")
      ?.trim() ?? "unknown error"
  );
}
