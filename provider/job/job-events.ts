import {
  EVENTS_CONFIG,
  type EventBus,
  type LifecycleEventInput,
  type OmitEach,
  eventBusFor,
  eventsSetting,
  isCloreError,
} from "../sdk";
import type { StepPosition } from "./job-connection";

type JobEvent = OmitEach<Extract<LifecycleEventInput, { kind: `job.${string}` }>, "stack" | "orderId">;

/**
 * The job's bus: the `events` option, else the stack config `clore:events` runJob was given,
 * else CLORE_EVENTS in `env`; a malformed value throws, naming where it came from.
 */
export function jobEventBus(
  events: string | undefined,
  configured: string | undefined,
  env: NodeJS.ProcessEnv,
): EventBus {
  const setting = events
    ? { value: events, source: "the events option" }
    : configured
      ? { value: configured, source: EVENTS_CONFIG }
      : undefined;
  return eventBusFor(eventsSetting(setting, env));
}

/**
 * A job's lifecycle events, in the job's words: each carries the stack and, once the stack is
 * up, the order. Steps are named by position ("command 2 of 3"), never by the command, and a
 * failure by its code: commands and their stderr may hold secrets.
 */
export class JobEvents {
  orderId?: number;
  /** Where the last outage happened (a failure's step when it is lost). */
  private lostAt?: string;

  constructor(
    private readonly bus: EventBus,
    private readonly stack: string,
    private readonly commands: readonly string[],
  ) {}

  private emit(e: JobEvent): void {
    this.bus.emit({ ...e, stack: this.stack, orderId: this.orderId } as LifecycleEventInput);
  }

  started(): void {
    this.emit({ kind: "job.started" });
  }

  lost(at: StepPosition): void {
    this.lostAt = this.stepName(at);
  }

  /** A command already running is re-attached (reconnected); any other step also runs again from its start (restarted). */
  reconnected(at: StepPosition, outageMs: number, outages: number): void {
    const step = this.stepName(at);
    this.lostAt = undefined; // recovered: a later failure is not this outage's
    this.emit({ kind: "job.reconnected", step, outageMs, outages });
    if (at.jobId === undefined) this.emit({ kind: "job.restarted", step });
  }

  /** The whole job starts again (attempt `attempt`): on a new server, or after a restart exit code. */
  restartedAttempt(attempt: number, reason: string): void {
    this.emit({ kind: "job.restarted", step: `attempt ${attempt}`, attempt, reason });
  }

  finished(r: { durationMs: number; commands: unknown[]; outages: number }): void {
    this.emit({
      kind: "job.finished",
      durationMs: Math.round(r.durationMs),
      commands: r.commands.length,
      outages: r.outages,
    });
  }

  failed(e: unknown, durationMs: number): void {
    const step = this.lostAt ?? this.failedCommand(e);
    this.emit({
      kind: "job.failed",
      step,
      durationMs: Math.round(durationMs),
      exitCode: exitCodeOf(e),
      error: isCloreError(e) ? e.code : undefined,
      reason: failureReason(e, step),
    });
  }

  flush(): Promise<void> {
    return this.bus.flush();
  }

  /** "upload", "download" or "command 2 of 3". */
  stepName(at: StepPosition): string {
    const total = this.commands.length;
    if (!this.commands.includes(at.during)) {
      if (at.during.startsWith("upload ")) return "upload";
      if (at.during.startsWith("download ")) return "download";
    }
    return `command ${total - at.notRun.length} of ${total}`;
  }

  private failedCommand(e: unknown): string | undefined {
    const i = this.commands.indexOf((e as { command?: string })?.command as string);
    return i >= 0 ? `command ${i + 1} of ${this.commands.length}` : undefined;
  }
}

function exitCodeOf(e: unknown): number | null | undefined {
  const code = (e as { exitCode?: unknown })?.exitCode;
  return typeof code === "number" || code === null ? code : undefined;
}

/** In our words, from the error's code: its message may quote the command or its stderr. */
function failureReason(e: unknown, step: string | undefined): string {
  const code = isCloreError(e) ? e.code : undefined;
  const exit = exitCodeOf(e);
  if (code === "CLORE_SSH_COMMAND_FAILED") return `a command exited with code ${exit ?? "?"}`;
  if (code === "CLORE_SSH_COMMAND_TIMEOUT") return "a command ran past commandTimeoutMs";
  if (code === "CLORE_JOB_INTERRUPTED")
    return `the connection was lost${step ? ` during ${step}` : ""} and not recovered`;
  if (code === "CLORE_JOB_CLEANUP_FAILED") return "the stack could not be destroyed: its order may still bill";
  return code ? `failed with ${code}` : "failed (see the job's log)";
}
