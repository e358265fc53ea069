import type { Clock } from "../clock";
import {
  CloreApiError,
  DatabaseError,
  MalformedResponseError,
  NetworkError,
  RateLimitError,
  TimeoutError,
} from "../errors";
import type { Layer } from "./call";

export interface RetryOptions {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** Wait before retry number `attempt + 1` (0-based attempt that failed). */
  backoff(attempt: number): number;
  clock: Clock;
  /** Told about a 429 before the wait: the limiter holds every lane and widens spacing. */
  onRateLimited?(waitMs: number): Promise<void>;
}

/** Exponential backoff from `baseMs`: 1, 2, 4 s… by default. */
export const exponentialBackoff =
  (baseMs = 1000) =>
  (attempt: number): number =>
    baseMs * 2 ** attempt;

/**
 * Retries what is safe to resend: a 429 always (the API did not process it, so even
 * create_order may go again), and for idempotent endpoints network errors, timeouts,
 * code 1 and unreadable answers. A paid write with an unknown outcome is never resent
 * (the client looks the order up instead).
 */
export function retryLayer(o: RetryOptions): Layer {
  return (next) => async (call) => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await next({ ...call, attempt });
      } catch (e) {
        const rateLimited = e instanceof CloreApiError && e.apiCode === 5;
        const transient =
          call.spec.idempotent &&
          (e instanceof NetworkError ||
            e instanceof TimeoutError ||
            e instanceof DatabaseError ||
            e instanceof MalformedResponseError);
        const canRetry = attempt < o.maxRetries;
        if (rateLimited && !canRetry)
          throw new RateLimitError(
            { apiCode: 5, endpoint: call.endpoint, httpStatus: e.httpStatus, response: e.response },
            attempt,
          );
        if (!(rateLimited || transient) || !canRetry) throw e;
        const wait = o.backoff(attempt);
        if (rateLimited) await o.onRateLimited?.(wait);
        await o.clock.sleep(wait);
      }
    }
  };
}
