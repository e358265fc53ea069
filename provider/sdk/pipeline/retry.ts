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
  /** Retries after the first attempt (of a 429: at least this many, see rateLimitPatienceMs). */
  maxRetries: number;
  /** Wait before retry number `attempt + 1` (0-based attempt that failed). */
  backoff(attempt: number): number;
  /**
   * A 429 is retried, whatever maxRetries says, until this long has passed since the call's
   * first attempt (0: maxRetries only). The API did nothing with a 429, so waiting is always
   * safe, and machines that share a key without a shared store must not fail their callers
   * for it: they wait their turn.
   */
  rateLimitPatienceMs: number;
  /** The wait actually taken after a 429 of `ms` backoff; default ms × [0.5, 1): machines that drew 429s together do not retry together. */
  jitter?: (ms: number) => number;
  clock: Clock;
  /** Told about a 429 before the wait: the limiter holds every lane and widens spacing. */
  onRateLimited?(waitMs: number): Promise<void>;
}

/** After a 429 the backoff grows for this many retries, then stays (8 s by default). */
const RATE_LIMIT_GROWTH = 3;

/** Half to all of the wait, at random. */
export const halfJitter = (ms: number): number => ms * (0.5 + Math.random() / 2);

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
  const jitter = o.jitter ?? halfJitter;
  return (next) => async (call) => {
    const firstAt = o.clock.now();
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
        if (rateLimited) {
          const wait = jitter(o.backoff(Math.min(attempt, RATE_LIMIT_GROWTH)));
          const waited = o.clock.now() - firstAt;
          if (!canRetry && waited + wait > o.rateLimitPatienceMs)
            throw new RateLimitError(
              { apiCode: 5, endpoint: call.endpoint, httpStatus: e.httpStatus, response: e.response },
              attempt,
              waited,
            );
          await o.onRateLimited?.(wait);
          await o.clock.sleep(wait);
          continue;
        }
        if (!transient || !canRetry) throw e;
        await o.clock.sleep(o.backoff(attempt));
      }
    }
  };
}
