import { Agent, type Dispatcher, errors as undiciErrors, request } from "undici";
import { NetworkError, TimeoutError } from "./errors";

export interface HttpRequest {
  method: "GET" | "POST";
  url: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  /** Endpoint name, for error messages (never the URL's query or the headers). */
  endpoint: string;
  /**
   * Called when the request is about to be written to a connected socket: after any
   * connection set-up or TLS handshake, which can make a process's first request leave
   * tens to hundreds of ms after it was let through the rate limiter.
   */
  onWrite?: () => void;
}

export interface HttpResponse {
  status: number;
  text: string;
}

/** Sends one HTTP request. Retry, rate limiting and decoding are layers above. */
export interface Transport {
  send(req: HttpRequest): Promise<HttpResponse>;
  close(): Promise<void>;
}

/**
 * undici transport. undici (unlike WHATWG fetch) sends a body with GET, which
 * server_config needs (docs/api-notes.md §6.3).
 */
export class UndiciTransport implements Transport {
  private readonly agent = new Agent({ keepAliveTimeout: 4_000, connections: 4 });

  async send(req: HttpRequest): Promise<HttpResponse> {
    try {
      const res = await request(req.url, {
        method: req.method,
        headers: req.headers,
        body: req.body,
        dispatcher: req.onWrite ? this.agent.compose(callOnWrite(req.onWrite)) : this.agent,
        headersTimeout: req.timeoutMs,
        bodyTimeout: req.timeoutMs,
        signal: AbortSignal.timeout(req.timeoutMs),
      });
      return { status: res.statusCode, text: await res.body.text() };
    } catch (e) {
      throw translateError(e, req);
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

/** An interceptor that calls `onWrite` when undici starts the request on a connected socket. */
function callOnWrite(onWrite: () => void): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) => (opts, handler) => dispatch(opts, new OnWriteHandler(handler, onWrite));
}

/** Passes every event through to undici's own handler; only `onRequestStart` also tells the caller. */
class OnWriteHandler implements Dispatcher.DispatchHandler {
  constructor(
    private readonly inner: Dispatcher.DispatchHandler,
    private readonly onWrite: () => void,
  ) {}
  onRequestStart(controller: Dispatcher.DispatchController, context: unknown): void {
    try {
      this.onWrite();
    } finally {
      this.inner.onRequestStart?.(controller, context);
    }
  }
  onRequestUpgrade(...args: Parameters<NonNullable<Dispatcher.DispatchHandler["onRequestUpgrade"]>>): void {
    this.inner.onRequestUpgrade?.(...args);
  }
  onResponseStart(...args: Parameters<NonNullable<Dispatcher.DispatchHandler["onResponseStart"]>>): void {
    this.inner.onResponseStart?.(...args);
  }
  onResponseData(...args: Parameters<NonNullable<Dispatcher.DispatchHandler["onResponseData"]>>): void {
    this.inner.onResponseData?.(...args);
  }
  onResponseEnd(...args: Parameters<NonNullable<Dispatcher.DispatchHandler["onResponseEnd"]>>): void {
    this.inner.onResponseEnd?.(...args);
  }
  onResponseError(...args: Parameters<NonNullable<Dispatcher.DispatchHandler["onResponseError"]>>): void {
    this.inner.onResponseError?.(...args);
  }
}

function translateError(e: unknown, req: HttpRequest): Error {
  const name = (e as { name?: string })?.name;
  if (
    e instanceof undiciErrors.HeadersTimeoutError ||
    e instanceof undiciErrors.BodyTimeoutError ||
    e instanceof undiciErrors.ConnectTimeoutError ||
    name === "TimeoutError" ||
    name === "AbortError"
  ) {
    return new TimeoutError(req.endpoint, req.timeoutMs, { cause: e });
  }
  const code = (e as { code?: string })?.code;
  return new NetworkError(req.endpoint, code ?? (e as Error)?.message ?? "unknown", { cause: e });
}
