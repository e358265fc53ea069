import { z } from "zod";
import {
  type Clock,
  JobInterruptedError,
  JobRestartsSpentError,
  SshCommandFailedError,
  ValidationError,
  issuesFromZod,
  systemClock,
} from "../sdk";

/**
 * runJob's restart policy: the one declaration of the option, its defaults and its docs.
 * Only real failures restart and count: the API saying the order ended (a lost server), or a
 * command exiting with a listed code. A server out of reach, or an API that cannot say, is
 * never a failure (skypilot#10155: counting "could not reach" as "failed" restarted a
 * healthy job 24 times); the reconnect budget decides those.
 */
export const RestartPolicy = z.strictObject({
  onServerLost: z.number().int().min(0).max(100).default(0).meta({
    description:
      "How many times to rent another server and start the job again when the API says its order ended (outbid, host offline). Default 0: the job fails.",
  }),
  onExitCodes: z.array(z.number().int().min(1).max(255)).default([]).meta({
    description:
      "Exit codes of a command that restart the job on the same server (e.g. a trainer that exits 75 to be restarted). Default none.",
  }),
  budget: z
    .strictObject({
      max: z.number().int().min(0).meta({ description: "Restarts allowed within any window." }),
      windowMs: z.number().int().positive().meta({ description: "The sliding window, in ms." }),
    })
    .default({ max: 3, windowMs: 3_600_000 })
    .meta({
      description:
        "At most `max` restarts (of either kind) within any `windowMs`: a job that fails again at once stops. Default 3 per hour.",
    }),
});
export type RestartPolicy = z.output<typeof RestartPolicy>;
export type RestartOptions = z.input<typeof RestartPolicy>;

export function parseRestartPolicy(input: unknown): RestartPolicy {
  const r = RestartPolicy.safeParse(input ?? {});
  if (r.success) return r.data;
  const issues = issuesFromZod(r.error, { schema: RestartPolicy }).map((i) => ({
    ...i,
    path: i.path ? `restart.${i.path}` : "restart",
  }));
  throw new ValidationError("runJob", issues);
}

export type RestartKind = "server-lost" | "exit-code";

/** What a failure asks for: a restart of this kind, or none (it fails the job). */
export function restartKind(e: unknown, policy: RestartPolicy): RestartKind | undefined {
  if (e instanceof JobInterruptedError) return e.why === "order-ended" ? "server-lost" : undefined;
  if (e instanceof SshCommandFailedError && e.exitCode !== null && policy.onExitCodes.includes(e.exitCode))
    return "exit-code";
  return undefined;
}

export interface Restart {
  /** The attempt that failed (1 = the first run). */
  attempt: number;
  kind: RestartKind;
  /** The order the failed attempt ran on. */
  orderId?: number;
  /** What ended it, in words. */
  reason: string;
}

/** The restarts made so far and the limits they count against. */
export class RestartLedger {
  readonly restarts: Restart[] = [];
  private readonly times: number[] = [];

  constructor(
    readonly policy: RestartPolicy,
    private readonly clock: Clock = systemClock,
  ) {}

  /**
   * The restart `e` calls for, recorded, or the error to throw: `e` itself when it is no
   * reason to restart, JobRestartsSpentError when it is but a limit is reached.
   */
  next(e: unknown, attempt: number, orderId: number | undefined): { restart: Restart } | { error: unknown } {
    const kind = restartKind(e, this.policy);
    if (!kind) return { error: e };
    const p = this.policy;
    const lost = this.restarts.filter((r) => r.kind === "server-lost").length;
    // Not asked for: the failure as it is (JobInterruptedError says to run the job again).
    if (kind === "server-lost" && p.onServerLost === 0) return { error: e };
    if (kind === "server-lost" && lost >= p.onServerLost) {
      const limit = `its server was lost and all ${p.onServerLost} restart(s) of restart.onServerLost are spent`;
      return { error: new JobRestartsSpentError(attempt, limit, e) };
    }
    const now = this.clock.now();
    const recent = this.times.filter((t) => t > now - p.budget.windowMs);
    if (recent.length >= p.budget.max) {
      const limit = `the restart budget is spent (${recent.length} restart(s) in the last ${Math.round(p.budget.windowMs / 1000)} s; restart.budget.max is ${p.budget.max})`;
      return { error: new JobRestartsSpentError(attempt, limit, e) };
    }
    this.times.push(now);
    const restart = { attempt, kind, orderId, reason: e instanceof Error ? e.message : String(e) };
    this.restarts.push(restart);
    return { restart };
  }
}
