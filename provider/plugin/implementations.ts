import { FUNCTIONS, RESOURCES, type ResourceSpec } from "../resources/catalog";
import { providers, serve } from "../resources/dynamic";
import { DiskStore } from "../resources/marketplace/cache";
import { MarketplaceArgs, type MarketplaceArgsResolved } from "../resources/marketplace/filters";
import { searchMarketplace } from "../resources/marketplace/search";
import { currentClient } from "../resources/runtime";
import type { ProviderKind } from "../resources/shim";
import { type CheckFailure, checkInputs } from "../resources/validation";
import { token } from "./package-schema";
import type { Props } from "./wire";

/**
 * What the plugin serves, by token: each catalog resource through the same provider the
 * dynamic shim calls (resources/dynamic.ts `providers`), each catalog function through the
 * implementation the program-side function shares. Nothing here is a second implementation.
 */
export interface ServedResource {
  spec: ResourceSpec;
  provider: (typeof providers)[ProviderKind];
}

export const RESOURCE_IMPLEMENTATIONS: ReadonlyMap<string, ServedResource> = new Map(
  RESOURCES.map((spec) => [token(spec.name), { spec, provider: providers[spec.kind] }]),
);

type Invoke = (args: Props) => Promise<{ outputs?: Props; failures?: CheckFailure[] }>;

const INVOKES: Record<string, Invoke> = {
  /** Like the program's getMarketplace: answers cached on disk (cacheTtlSeconds), so preview and up share one call. */
  async getMarketplace(args) {
    const { inputs, failures } = checkInputs(MarketplaceArgs, args);
    if (failures) return { failures };
    const client = currentClient(undefined, (account) => new DiskStore(account));
    return { outputs: (await searchMarketplace(client, inputs as MarketplaceArgsResolved)) as unknown as Props };
  },
};

export const FUNCTION_IMPLEMENTATIONS: ReadonlyMap<string, Invoke> = new Map(
  FUNCTIONS.map((f) => {
    const invoke = INVOKES[f.name];
    if (!invoke) throw new Error(`the plugin has no implementation for function ${f.name}`);
    return [token(f.name), (args: Props) => serve(() => invoke(args))];
  }),
);
