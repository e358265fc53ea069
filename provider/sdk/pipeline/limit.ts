import type { RateLimiter } from "../limiter";
import type { Layer } from "./call";

/** Every attempt waits for its slot in the key's budget (shared across processes) before it is sent. */
export function limitLayer(limiter: RateLimiter): Layer {
  return (next) => async (call) => {
    const lane = call.spec.lane;
    await limiter.acquire(lane);
    call.onSent?.();
    return next({ ...call, onSent: undefined, onWrite: () => limiter.written(lane) });
  };
}
