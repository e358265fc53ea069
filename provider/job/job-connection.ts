import {
  type Clock,
  JobInterruptedError,
  SshAuthError,
  SshConnectionLostError,
  SshHostKeyMismatchError,
  type SshCommandRecord,
  systemClock,
} from "../sdk";
import type { SshSession } from "../ssh";
import type { JobLog } from "./job-log";

/** A long outage shows progress this often (a short one is one line, once it is over). */
const PROGRESS_EVERY_MS = 30_000;

export interface ReconnectOptions {
  /** How long one outage may last before the job fails (JobInterruptedError). Default 300 000 ms. */
  budgetMs?: number;
  /**
   * A connection that looks open but brings nothing for this long counts as lost (a silent
   * partition): an attached job sends a heartbeat every ~1 s. Default 8000 ms.
   */
  idleTimeoutMs?: number;
}

/** Where a step stands when the connection is lost (for the log line and a final error). */
export interface StepPosition {
  /** The command, or "upload <path>" / "download <path>". */
  during: string;
  jobId?: string;
  logBytes?: number;
  notRun: string[];
}

export interface JobConnectionDeps {
  /** A new login to the same server, with the same host key policy (a changed key throws). */
  connect(waitMs: number): Promise<SshSession>;
  log: JobLog;
  /** Undefined while the order lives; otherwise why it ended. Only when the API says so. */
  orderEnded?: () => Promise<string | undefined>;
  signal?: AbortSignal;
  clock?: Clock;
  /** Called the moment a lost connection is noticed (before the reconnect; the log line comes once it is over). */
  onLost?: (at: StepPosition) => void;
  /** Called once a lost connection is back, before the step runs again (it resumes, or starts over when it had not begun). */
  onReconnected?: (at: StepPosition, outageMs: number) => void;
}

/**
 * The job's link to its server across reconnects: `use` runs a step on the current session,
 * and when the connection is lost, logs in again (same host key) with backoff
 * for up to the budget, logs one line for the outage, and runs the step again — the step itself resumes (a detached job is
 * re-attached from its last offset, a copy is redone). It gives up only when the budget is
 * spent or the API says the order ended, with a JobInterruptedError saying what is lost.
 */
export class JobConnection {
  readonly budgetMs: number;
  readonly idleTimeoutMs: number;
  private readonly clock: Clock;
  /** Outages survived, for the result. */
  outages = 0;
  /** Commands finished so far, across reconnects (for errors). */
  readonly completed: SshCommandRecord[] = [];

  constructor(
    private current: SshSession,
    private readonly deps: JobConnectionDeps,
    o: ReconnectOptions = {},
  ) {
    this.budgetMs = o.budgetMs ?? 300_000;
    this.idleTimeoutMs = o.idleTimeoutMs ?? 8000;
    this.clock = deps.clock ?? systemClock;
  }

  get session(): SshSession {
    return this.current;
  }

  /** Run `step` on the session; after a lost connection, reconnect and run it again (it must resume). */
  async use<T>(where: () => StepPosition, step: (ssh: SshSession) => Promise<T>): Promise<T> {
    for (;;) {
      try {
        this.deps.signal?.throwIfAborted();
        return await step(this.current);
      } catch (e) {
        if (this.deps.signal?.aborted) throw this.deps.signal.reason;
        if (!(e instanceof SshConnectionLostError)) throw e;
        await this.reconnect(e, where());
      }
    }
  }

  private async reconnect(lost: SshConnectionLostError, at: StepPosition): Promise<void> {
    this.deps.onLost?.(at);
    const started = this.clock.now();
    const why = lost.cause instanceof Error ? lost.cause.message : "the connection closed";
    const offset = at.logBytes !== undefined ? ` at log byte ${at.logBytes}` : "";
    const lostLine = `connection lost during ${at.during}${offset} (${why})`;
    let progressAt = started + PROGRESS_EVERY_MS;
    void this.current.close().catch(() => undefined);
    const fail = (why: "reconnect-budget" | "order-ended", detail: string, cause?: unknown) =>
      new JobInterruptedError(this.current.endpoint, { why, detail, ...at, completed: [...this.completed] }, { cause });
    let last: unknown = lost;
    for (let attempt = 1; ; attempt++) {
      this.deps.signal?.throwIfAborted();
      const ended = await this.deps.orderEnded?.().catch(() => undefined);
      if (ended) throw fail("order-ended", `the order ended (${ended})`, last);
      const left = this.budgetMs - (this.clock.now() - started);
      if (left <= 0) {
        const reason = last instanceof Error ? last.message : String(last);
        throw fail(
          "reconnect-budget",
          `no connection for ${Math.round(this.budgetMs / 1000)} s (${attempt - 1} attempt(s); last: ${reason})`,
          last,
        );
      }
      try {
        // connectSsh waits (with backoff) while the port refuses; one round at most 30 s, then the API is asked again.
        this.current = await this.deps.connect(Math.min(left, 30_000));
        this.outages++;
        this.deps.onReconnected?.(at, this.clock.now() - started);
        this.deps.log(
          `${lostLine}; reconnected after ${((this.clock.now() - started) / 1000).toFixed(1)} s, resuming`,
          "job",
        );
        return;
      } catch (e) {
        if (e instanceof SshHostKeyMismatchError || e instanceof SshAuthError) throw e;
        last = e;
        if (this.clock.now() >= progressAt) {
          progressAt += PROGRESS_EVERY_MS;
          const s = Math.round((this.clock.now() - started) / 1000);
          this.deps.log(`${lostLine}; still reconnecting (${s} s of ${Math.round(this.budgetMs / 1000)} s)`, "job");
        }
        if (this.clock.now() - started < this.budgetMs) await this.clock.sleep(Math.min(1000, left));
      }
    }
  }
}
