import { type ConfigMap, LocalWorkspace } from "@pulumi/pulumi/automation";
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
}

export interface StackHandle {
  /**
   * `pulumi refresh` then `pulumi up` again: a resource the API says has ended (a lost order)
   * leaves the state at the refresh, and the up creates it anew. Returns the new outputs.
   */
  upAgain(): Promise<Record<string, unknown>>;
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
    outcome = { ok: true, value: await use(await up(), { upAgain }) };
  } catch (error) {
    outcome = { ok: false, error };
  }
  try {
    s.onStep(`pulumi destroy (stack ${s.stackName})`);
    await withLines(s.onPulumi, (onOutput) => stack.destroy({ onOutput }));
    await stack.workspace.removeStack(s.stackName);
  } catch (e) {
    throw new JobCleanupError(s.stackName, s.workDir, firstLine(e), {
      cause: e,
      jobError: outcome.ok ? undefined : outcome.error,
    });
  }
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
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
