import { appendFileSync, writeSync } from "node:fs";
import type { LifecycleEvent } from "./event";

/** Where events go: `send` never throws and never waits; `flush` settles what is in flight by `deadline` (ms since epoch). */
export interface EventSink {
  send(e: LifecycleEvent): void;
  flush(deadline: number): Promise<void>;
  /** Events not sent yet (in flight or queued). */
  readonly pending: number;
}

/**
 * JSON lines, written synchronously so a line is on disk (or the pipe) before the operation
 * goes on, in order, and nothing is left at exit. A failing write is reported once and dropped:
 * an events file must never fail a `pulumi up`.
 */
export class JsonLinesSink implements EventSink {
  readonly pending = 0;
  private warned = false;

  constructor(
    private readonly target: { path: string } | { fd: number } | { write(line: string): unknown },
    private readonly notice: (message: string) => void,
  ) {}

  send(e: LifecycleEvent): void {
    const line = `${JSON.stringify(e)}\n`;
    try {
      if ("path" in this.target) appendFileSync(this.target.path, line);
      else if ("fd" in this.target) writeSync(this.target.fd, line);
      else this.target.write(line);
    } catch (err) {
      if (this.warned) return;
      this.warned = true;
      const where = "path" in this.target ? this.target.path : "stdout";
      this.notice(`events: cannot write to ${where} (${(err as Error).message}); events there are dropped`);
    }
  }

  async flush(): Promise<void> {}
}
