import type { PropertyBag } from "../contract";
import { ORDER_DEFAULTS, OrderInputs, type OrderInputsResolved, type OrderOutputs, URN_KEY } from "./schema";

/*
 * The order's door: the engine's property bags decoded into the order's declared types once,
 * on the way in, and its outputs encoded once, on the way out. The bags were written by check
 * (inputs parsed by the schema) or by an earlier create/read/update (outputs), so decoding
 * trusts their shape; keys a type does not name (the serialized provider, the URN) stay in the
 * bag, which travels beside the typed values where state must keep them.
 */

/** The inputs in a bag: parsed by check for create and update; old state gets the defaults it predates. */
export function decodeInputs(bag: PropertyBag): OrderInputsResolved {
  const known = Object.fromEntries(
    Object.entries(bag).filter(([k, v]) => k in OrderInputs.shape && v !== null && v !== undefined),
  );
  return { ...ORDER_DEFAULTS, ...known } as OrderInputsResolved;
}

/** New inputs as check returned them (preview: some may still be unknown). */
export function decodeNews(bag: PropertyBag): Partial<OrderInputsResolved> {
  return bag as Partial<OrderInputsResolved>;
}

/** An order's last outputs (empty or partial for an adopted or interrupted one). */
export function decodeState(bag: PropertyBag): Partial<OrderOutputs> {
  return bag as Partial<OrderOutputs>;
}

/** The URN the dynamic path passes as an input (dynamic providers are not told it). */
export function decodeUrn(bag: PropertyBag): string | undefined {
  const urn = bag[URN_KEY];
  return typeof urn === "string" ? urn : undefined;
}

/** Outputs as the engine's property bag. */
export function encodeOutputs(outputs: Partial<OrderOutputs> & { ttlExpired?: boolean }): PropertyBag {
  return outputs;
}
