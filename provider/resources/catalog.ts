import type { z } from "zod";
import { MarketplaceArgs, MarketplaceResult } from "./marketplace/filters";
import { OrderInputs, OrderState, REPLACE_ON, SECRET_OUTPUTS, UPDATE_IN_PLACE } from "./order/schema";
import { ServerSettingsInputs, ServerSettingsState } from "./server-settings/schema";
import type { ProviderKind } from "./shim";

/**
 * Every resource and function the package offers, with the zod declarations that everything
 * else is generated from: the public TypeScript types (resources/generated/types.ts),
 * docs/reference.md and the plugin's package schema. Add a field to a schema and all three
 * follow; a test fails while a generated file is stale.
 */
export interface ResourceSpec {
  /** The TypeScript class (dynamic provider) and the plugin resource's name in the `clore` package. */
  className: string;
  name: string;
  /** The implementation both faces call (the dynamic shim's and the plugin's). */
  kind: ProviderKind;
  description: string;
  inputs: z.ZodObject;
  /** What the resource reports beside its inputs as applied. */
  state: z.ZodObject;
  /** Inputs whose values are secret in state even when given as plain values. */
  secretOutputs: readonly string[];
  /** Inputs a change of which replaces the resource; `updatesInPlace` the ones that update it. */
  replaceOnChanges: readonly string[];
  updatesInPlace: readonly string[];
}

export interface FunctionSpec {
  name: string;
  description: string;
  inputs: z.ZodObject;
  outputs: z.ZodObject;
}

export const PACKAGE = "clore";

export const RESOURCES: readonly ResourceSpec[] = [
  {
    className: "CloreOrder",
    name: "Order",
    kind: "order",
    description:
      "A rented Clore.ai server running your container. Create rents it (and waits until its ssh port answers); delete cancels it and stops the bill.",
    inputs: OrderInputs,
    state: OrderState,
    secretOutputs: SECRET_OUTPUTS,
    replaceOnChanges: REPLACE_ON,
    updatesInPlace: UPDATE_IN_PLACE,
  },
  {
    className: "CloreServerSettings",
    name: "ServerSettings",
    kind: "server-settings",
    description:
      "Declarative pricing and rental settings of a server you host on Clore.ai. Delete restores the settings found at creation (see onDelete).",
    inputs: ServerSettingsInputs,
    state: ServerSettingsState,
    secretOutputs: [],
    replaceOnChanges: ["name"],
    updatesInPlace: Object.keys(ServerSettingsInputs.shape).filter((k) => k !== "name"),
  },
];

export const FUNCTIONS: readonly FunctionSpec[] = [
  {
    name: "getMarketplace",
    description:
      "Search the Clore marketplace: servers matching the filters, cheapest first, and the cheapest one. Servers the key hosts are left out unless includeOwnServers.",
    inputs: MarketplaceArgs,
    outputs: MarketplaceResult,
  },
];
