import { FUNCTIONS, RESOURCES, type ResourceSpec } from "../resources/catalog";
import { providers } from "../resources/dynamic";
import { DiskStore } from "../resources/marketplace/cache";
import { MarketplaceArgs, type MarketplaceArgsResolved } from "../resources/marketplace/filters";
import { searchMarketplace } from "../resources/marketplace/search";
import { plainData } from "../resources/plain-data";
import { inPulumiTerms } from "../resources/pulumi-terms";
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
const KINDS: Record<string, ProviderKind> = { Order: "order", ServerSettings: "server-settings" };

export interface ServedResource {
  spec: ResourceSpec;
  provider: (typeof providers)[ProviderKind];
}

export const RESOURCE_IMPLEMENTATIONS: ReadonlyMap<string, ServedResource> = new Map(
  RESOURCES.map((spec) => {
    const kind = KINDS[spec.name];
    if (!kind) throw new Error(`the plugin has no implementation for resource ${spec.name}`);
    return [token(spec.name), { spec, provider: providers[kind] }];
  }),
);

export type Invoke = (args: Props) => Promise<{ outputs?: Props; failures?: CheckFailure[] }>;

const INVOKES: Record<string, Invoke> = {
  /** Like the program's getMarketplace: answers cached on disk (cacheTtlSeconds), so preview and up share one call. */
  async getMarketplace(args) {
    const { inputs, failures } = checkInputs(MarketplaceArgs, args);
    if (failures) return { failures };
    const client = currentClient(undefined, (account) => new DiskStore(account));
    return {
      outputs: plainData(await searchMarketplace(client, inputs as MarketplaceArgsResolved)) as unknown as Props,
    };
  },
};

export const FUNCTION_IMPLEMENTATIONS: ReadonlyMap<string, Invoke> = new Map(
  FUNCTIONS.map((f) => {
    const invoke = INVOKES[f.name];
    if (!invoke) throw new Error(`the plugin has no implementation for function ${f.name}`);
    return [token(f.name), (args: Props) => invoke(args).catch((e: unknown) => Promise.reject(inPulumiTerms(e)))];
  }),
);
