import type { EndpointName, EndpointSpec } from "../endpoints";
import type { Timed } from "../ttl-cache";

/**
 * One API call as it passes down the client's layers:
 * check request → cache → retry → rate limit → send (transport + decode).
 * Each layer takes the next handler and returns its own, like undici's interceptors.
 */
export interface ApiCall {
  endpoint: EndpointName;
  spec: EndpointSpec;
  query?: Record<string, string>;
  body?: unknown;
  /** Reuse a cached answer whose request was sent at most this long ago (cacheable endpoints). */
  maxAgeMs?: number;
  /** Validation messages name this method and its own parameters instead of the endpoint's wire fields. */
  caller?: { name: string; rename(wireKey: string): string };
  /** Attempt number, set by the retry layer (0 = first). */
  attempt: number;
  /** Called once the rate limiter lets the request go (set by the cache layer). */
  onSent?: () => void;
  /** Called when the request is written to a connected socket (set by the rate-limit layer). */
  onWrite?: () => void;
}

/** A decoded answer and when its request was sent. */
export type Answer = Timed<unknown>;
export type Handler = (call: ApiCall) => Promise<Answer>;
export type Layer = (next: Handler) => Handler;

/** `compose(a, b, c)(send)` = a(b(c(send))): the first layer sees the call first. */
export function compose(...layers: Layer[]): (last: Handler) => Handler {
  return (last) => layers.reduceRight((next, layer) => layer(next), last);
}
