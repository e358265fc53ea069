import type { PropertyBag } from "../contract";
import { type ServerSettingsOutputs, ServerSettingsInputs, type ServerSettingsResolved } from "./schema";

/*
 * The server settings' door: the engine's property bags decoded into the declared types once,
 * on the way in, and the outputs encoded once, on the way out (see order/door.ts).
 */

/** The inputs in a bag, parsed (defaults applied); nulls are absent values. */
export function decodeInputs(bag: PropertyBag): ServerSettingsResolved {
  const known = Object.fromEntries(
    Object.entries(bag).filter(([k, v]) => k in ServerSettingsInputs.shape && v !== null),
  );
  return ServerSettingsInputs.parse(known);
}

/** The last outputs, as create, read or update wrote them. */
export function decodeState(bag: PropertyBag): Partial<ServerSettingsOutputs> {
  return bag as Partial<ServerSettingsOutputs>;
}

/** Outputs as the engine's property bag. */
export function encodeOutputs(outputs: Partial<ServerSettingsOutputs>): PropertyBag {
  return outputs;
}
