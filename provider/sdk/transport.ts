import { Agent, errors as undiciErrors, request } from "undici";
import { NetworkError, TimeoutError } from "./errors";

export interface HttpRequest {
  method: "GET" | "POST";
  url: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  /** Endpoint name, for error messages (never the URL's query or the headers). */
  endpoint: string;
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
 * server_config needs (API.md §6.3).
 */
export class UndiciTransport implements Transport {
  private readonly agent = new Agent({ keepAliveTimeout: 4_000, connections: 4 });

  async send(req: HttpRequest): Promise<HttpResponse> {
    try {
      const res = await request(req.url, {
        method: req.method,
        headers: req.headers,
        body: req.body,
        dispatcher: this.agent,
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
