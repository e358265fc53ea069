import { plainData } from "./plain-data";

/**
 * A create (or update) that got far enough to rent something. The dynamic-provider host
 * turns an error with `id` and `properties` into a partial-state result, so the order id
 * lands in the stack and the next `up` or `destroy` can act on it.
 */
export class ResourceInitError extends Error {
  readonly id: string;
  readonly properties: Record<string, unknown>;
  readonly reasons: string[];
  constructor(id: string, properties: Record<string, unknown>, cause: Error) {
    super(cause.message, { cause });
    this.name = "ResourceInitError";
    this.id = id;
    this.properties = plainData(properties);
    this.reasons = [cause.message];
  }
}

/** The serialized provider travels in every resource's state; partial results must keep it. */
export const PROVIDER_KEY = "__provider";

export function withProvider<T extends object>(props: T, from: Record<string, unknown>): T {
  return from[PROVIDER_KEY] === undefined ? props : { ...props, [PROVIDER_KEY]: from[PROVIDER_KEY] };
}
