import { MissingApiKeyError } from "../errors";
import { parseOrThrow } from "../validate";
import type { Layer } from "./call";

/**
 * Nothing bad leaves the process: the query and body are checked against the endpoint's
 * schemas (the wire check) and a key must exist where the endpoint needs one, before any
 * rate-limit slot is taken.
 */
export function checkRequest(hasKey: () => boolean): Layer {
  return (next) => async (call) => {
    const { spec, caller } = call;
    const context = caller?.name ?? call.endpoint;
    if (spec.query) parseOrThrow(spec.query, call.query ?? {}, context, undefined, { rename: caller?.rename });
    if (spec.body) parseOrThrow(spec.body, call.body, context, undefined, { rename: caller?.rename });
    if (spec.auth === "required" && !hasKey()) throw new MissingApiKeyError(call.endpoint);
    return next(call);
  };
}
