import type { TtlCache } from "../ttl-cache";
import type { Layer } from "./call";

/**
 * Reads marked `cache` in the endpoint table go through the client's TtlCache (shared while
 * waiting for a slot, reused within the caller's maxAgeMs); `persist` ones also through its
 * store. A write makes every sent answer stale.
 */
export function cacheLayer(cache: TtlCache): Layer {
  return (next) => (call) => {
    const { spec } = call;
    if (spec.method === "POST") {
      return next({ ...call, onSent: chain(call.onSent, () => cache.invalidate()) });
    }
    if (!spec.cache) return next(call);
    const key =
      call.query && Object.keys(call.query).length
        ? `${call.endpoint}?${new URLSearchParams(call.query)}`
        : call.endpoint;
    return cache.get(
      key,
      call.maxAgeMs ?? 0,
      (sent) => next({ ...call, onSent: chain(call.onSent, sent) }),
      spec.cache === "persist",
    );
  };
}

function chain(a: (() => void) | undefined, b: () => void): () => void {
  if (!a) return b;
  return () => {
    a();
    b();
  };
}
