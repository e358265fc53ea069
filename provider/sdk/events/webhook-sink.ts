import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { type Clock, systemClock } from "../clock";
import { type LifecycleEvent, describeEvent } from "./event";
import type { EventSink } from "./line-sink";

export interface WebhookOptions {
  /** Per attempt: a webhook that does not answer in this long counts as failed. Default 5000 ms. */
  timeoutMs?: number;
  /** Tries per event (a 5xx, a 429, a timeout or a network error is tried again). Default 3. */
  attempts?: number;
  /** Wait before the second try, doubled each time after. Default 500 ms. */
  backoffMs?: number;
  /** Events kept while the webhook is slow; beyond it the oldest is dropped. Default 100. */
  maxQueue?: number;
  clock?: Clock;
  /** One POST; the default uses node:http(s) with its sockets unref'd (a slow webhook never holds the process). */
  post?: (url: string, body: string, timeoutMs: number) => Promise<number>;
}

/** The Slack-compatible body: `text` for a chat, then the event's own fields for machines. */
export function webhookBody(e: LifecycleEvent): string {
  return JSON.stringify({ text: describeEvent(e), ...e });
}

/**
 * POSTs each event to a URL, one at a time and in order, retrying with backoff. Fire and
 * forget: `send` queues and returns; no failure reaches the caller (a dropped event is noted
 * once per outage). The URL is never logged: a Slack webhook URL is a credential.
 */
export class WebhookSink implements EventSink {
  private readonly queue: LifecycleEvent[] = [];
  private running: Promise<void> | undefined;
  private failing = false;
  private readonly o: Required<Omit<WebhookOptions, "clock" | "post">>;
  private readonly clock: Clock;
  private readonly post: NonNullable<WebhookOptions["post"]>;

  constructor(
    private readonly url: string,
    private readonly notice: (message: string) => void,
    options: WebhookOptions = {},
  ) {
    this.o = {
      timeoutMs: options.timeoutMs ?? 5000,
      attempts: options.attempts ?? 3,
      backoffMs: options.backoffMs ?? 500,
      maxQueue: options.maxQueue ?? 100,
    };
    this.clock = options.clock ?? systemClock;
    this.post = options.post ?? postJson;
  }

  get pending(): number {
    return this.queue.length;
  }

  send(e: LifecycleEvent): void {
    if (this.queue.length >= this.o.maxQueue) this.queue.shift();
    this.queue.push(e);
    this.running ??= this.drain().finally(() => {
      this.running = undefined;
    });
  }

  /** Wait for the queue to empty, but not past `deadline`; what is left then is dropped by the caller's exit. */
  async flush(deadline: number): Promise<void> {
    if (!this.running) return;
    const left = deadline - this.clock.now();
    if (left <= 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.running, new Promise<void>((r) => (timer = setTimeout(r, left)))]);
    clearTimeout(timer);
  }

  private async drain(): Promise<void> {
    while (this.queue.length) {
      const e = this.queue[0]!;
      const delivered = await this.deliver(webhookBody(e));
      // Sent or given up: the next one (the queue may have dropped `e` meanwhile).
      if (this.queue[0] === e) this.queue.shift();
      if (!delivered && !this.failing) {
        this.failing = true;
        this.notice(
          `events: a webhook (${hostOf(this.url)}) did not take an event after ${this.o.attempts} tries; it is dropped`,
        );
      } else if (delivered) this.failing = false;
    }
  }

  /** A backoff never keeps the process alive by itself (only `flush` does, up to its deadline). */
  private sleep(ms: number): Promise<void> {
    if (this.clock !== systemClock) return this.clock.sleep(ms);
    return new Promise((r) => setTimeout(r, ms).unref());
  }

  private async deliver(body: string): Promise<boolean> {
    for (let attempt = 1; attempt <= this.o.attempts; attempt++) {
      let status: number | undefined;
      try {
        status = await this.post(this.url, body, this.o.timeoutMs);
      } catch {
        status = undefined; // timeout or network error: try again
      }
      if (status !== undefined && status < 300) return true;
      // A 4xx other than 429 will not change by asking again.
      if (status !== undefined && status < 500 && status !== 429) return false;
      if (attempt < this.o.attempts) await this.sleep(this.o.backoffMs * 2 ** (attempt - 1));
    }
    return false;
  }
}

function hostOf(url: string): string {
  return new URL(url).host;
}

/** One POST with a whole-request timeout; resolves the status. The socket is unref'd: exit waits only in `flush`. */
export function postJson(url: string, body: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = url.startsWith("https:") ? httpsRequest : httpRequest;
    const req = request(url, {
      method: "POST",
      agent: false,
      headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
    });
    const timer = setTimeout(() => req.destroy(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs);
    timer.unref();
    req.on("socket", (s) => s.unref());
    req.on("response", (res) => {
      res.resume();
      res.on("end", () => {
        clearTimeout(timer);
        resolve(res.statusCode ?? 0);
      });
      res.on("error", () => undefined);
    });
    req.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    req.end(body);
  });
}
