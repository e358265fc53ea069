import { channel } from "node:diagnostics_channel";
import type { Clock } from "../clock";
import type { EndpointName, EndpointSpec } from "../endpoints";
import { AuthError, MalformedResponseError, MissingApiKeyError, errorFromApi, isCloreError } from "../errors";
import type { Transport } from "../transport";
import { issuesFromZod } from "../validate";
import type { Handler } from "./call";

/** Published on `pulumi-clore:request` for every HTTP request: count API calls from here. */
export interface RequestEvent {
  endpoint: EndpointName;
  attempt: number;
  status?: number;
  apiCode?: number;
  error?: string;
}
export const requestChannel = channel("pulumi-clore:request");

export interface SendOptions {
  baseUrl: string;
  timeoutMs: number;
  clock: Clock;
  /** The key for the `auth` header, read per request; never logged, never in errors. */
  apiKey(): string | undefined;
}

/** The innermost handler: one HTTP request, its answer decoded into a value or a typed error. */
export function sendHandler(transport: Transport, o: SendOptions): Handler {
  return async (call) => {
    const { endpoint, spec } = call;
    const qs = call.query && Object.keys(call.query).length ? `?${new URLSearchParams(call.query)}` : "";
    const headers: Record<string, string> = { accept: "application/json" };
    const key = o.apiKey();
    if (key) headers.auth = key;
    if (call.body !== undefined) headers["content-type"] = "application/json";
    const event: RequestEvent = { endpoint, attempt: call.attempt };
    const sentAt = o.clock.now();
    try {
      const res = await transport.send({
        method: spec.method,
        url: o.baseUrl + spec.path + qs,
        headers,
        body: call.body === undefined ? undefined : JSON.stringify(call.body),
        timeoutMs: o.timeoutMs,
        endpoint,
        onWrite: call.onWrite,
      });
      event.status = res.status;
      const decoded = decode(endpoint, spec, res.status, res.text);
      event.apiCode = decoded.apiCode;
      // Rejected for sending no key at all (an endpoint we thought public): say the key is missing.
      if (!decoded.ok)
        throw decoded.error instanceof AuthError && !key ? new MissingApiKeyError(endpoint) : decoded.error;
      return { value: decoded.value, sentAt };
    } catch (e) {
      event.error = isCloreError(e) ? e.code : String(e);
      throw e;
    } finally {
      if (requestChannel.hasSubscribers) requestChannel.publish(event);
    }
  };
}

type Decoded = { ok: true; value: unknown; apiCode: number } | { ok: false; error: Error; apiCode?: number };

/** HTTP answer → value or typed error. The API sends `code` on every answer, even 429s. */
function decode(endpoint: EndpointName, spec: EndpointSpec, status: number, text: string): Decoded {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, error: new MalformedResponseError(endpoint, status, text ? "not JSON" : "empty body") };
  }
  if (!json || typeof json !== "object" || Array.isArray(json)) {
    return { ok: false, error: new MalformedResponseError(endpoint, status, "not a JSON object") };
  }
  const obj = json as Record<string, unknown>;
  const code = obj.code;
  if (typeof code !== "number") {
    if (status === 429)
      return {
        ok: false,
        apiCode: 5,
        error: errorFromApi({ apiCode: 5, endpoint, httpStatus: status, response: obj }),
      };
    return { ok: false, error: new MalformedResponseError(endpoint, status, "no integer `code`") };
  }
  if (code !== 0) {
    const apiError = typeof obj.error === "string" ? obj.error : undefined;
    return {
      ok: false,
      apiCode: code,
      error: errorFromApi({ apiCode: code, endpoint, httpStatus: status, apiError, response: obj }),
    };
  }
  const parsed = spec.response.safeParse(obj);
  if (!parsed.success) {
    const first = issuesFromZod(parsed.error)[0];
    return {
      ok: false,
      apiCode: 0,
      error: new MalformedResponseError(endpoint, status, `unexpected shape at ${first?.path}: ${first?.message}`),
    };
  }
  return { ok: true, apiCode: 0, value: parsed.data };
}
