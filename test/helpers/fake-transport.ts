import type { Clock } from "../../provider/sdk/clock";
import type { HttpRequest, HttpResponse, Transport } from "../../provider/sdk/transport";

/** What a fake endpoint answers: a JSON body (default HTTP 200), raw text, or a thrown error. */
export type FakeReply = { status?: number; json: unknown } | { status?: number; text: string } | { throws: Error };

export type FakeHandler = (req: HttpRequest, index: number) => FakeReply | Promise<FakeReply>;

/** A Transport that records every request and answers from a handler; no sockets. */
export class FakeTransport implements Transport {
  readonly requests: HttpRequest[] = [];
  /** clock.now() when each request was sent, if a clock was given. */
  readonly sentAt: number[] = [];
  closed = false;
  constructor(
    private readonly handler: FakeHandler = () => ({ json: { code: 0 } }),
    private readonly clock?: Clock,
  ) {}

  async send(req: HttpRequest): Promise<HttpResponse> {
    this.requests.push(req);
    if (this.clock) this.sentAt.push(this.clock.now());
    const r = await this.handler(req, this.requests.length - 1);
    if ("throws" in r) throw r.throws;
    return { status: r.status ?? 200, text: "text" in r ? r.text : JSON.stringify(r.json) };
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /** Endpoint names in the order they were sent. */
  get endpoints(): string[] {
    return this.requests.map((r) => r.endpoint);
  }
}

/**
 * Answer per endpoint. An array is a script: one reply per call, the last one repeating.
 * Unrouted endpoints fail the test loudly.
 */
export function byEndpoint(
  routes: Record<string, FakeReply | FakeHandler | Array<FakeReply | FakeHandler>>,
): FakeHandler {
  const calls = new Map<string, number>();
  return (req, index) => {
    const route = routes[req.endpoint];
    if (route === undefined) throw new Error(`fake transport: no route for ${req.endpoint}`);
    const n = calls.get(req.endpoint) ?? 0;
    calls.set(req.endpoint, n + 1);
    const step = Array.isArray(route) ? route[Math.min(n, route.length - 1)] : route;
    return typeof step === "function" ? step(req, index) : step;
  };
}

let counter = 0;
/**
 * A fresh API key per test: sharedRateLimiter keeps one limiter per key for the whole
 * process, so reusing a key would carry one test's timeline into the next.
 */
export function uniqueKey(label = "test"): string {
  counter += 1;
  return `${label}-${process.pid}-${counter}-${Math.random().toString(36).slice(2, 10)}`;
}
