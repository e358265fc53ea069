import * as pulumi from "@pulumi/pulumi";
import type { CloreClient } from "../sdk";
import { DiskStore } from "./marketplace/cache";
import { currentClient } from "./runtime";

/**
 * The client of the Pulumi *program* (getMarketplace, cost estimates), with the provider's
 * key lookup (clore:apiKey, CLORE_API_KEY, ~/.clore/config.json) read from the stack config.
 * Its cache keeps marketplace and renter_fees answers on disk too, so `pulumi preview` and
 * `pulumi up` a minute apart share one call per endpoint, and N orders estimated at once
 * share one request.
 */
export function programClient(): CloreClient {
  return currentClient({ get: programConfig }, (account) => new DiskStore(account));
}

/** Stack config read raw (the key stays a plain string in this process only, never an output). */
function programConfig(key: string): string | undefined {
  try {
    return pulumi.runtime.getConfig(key) || undefined;
  } catch {
    return undefined;
  }
}
