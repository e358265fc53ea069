import * as pulumi from "@pulumi/pulumi";
import type { CloreServerSettingsInputs, CloreServerSettingsOutputs } from "../generated/types";
import { shimFor } from "../shim";
import { ServerSettingsState } from "./schema";

const PROVIDER = shimFor("server-settings");
const OUTPUTS = Object.fromEntries(Object.keys(ServerSettingsState.shape).map((k) => [k, undefined]));

export type CloreServerSettingsArgs = CloreServerSettingsInputs;

/**
 * Declarative pricing and rental settings of a server you host on Clore.ai.
 *
 *     new CloreServerSettings("rig-alpha", {
 *       name: "rig-alpha", availability: true, mrl: 96,
 *       onDemandPrices: { "USD-Blockchain": 3.4 }, spotPrices: { "USD-Blockchain": 1.9 },
 *     });
 *
 * `pulumi refresh` reports prices changed elsewhere; `pulumi destroy` restores the settings
 * found at creation (see `onDelete`).
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the outputs interface below declares fields the engine fills in; nothing else is merged.
export class CloreServerSettings extends pulumi.dynamic.Resource {
  constructor(name: string, args: CloreServerSettingsArgs, opts?: pulumi.CustomResourceOptions) {
    super(PROVIDER, name, { ...OUTPUTS, ...args }, opts, "clore", "ServerSettings");
  }
}

/** The outputs, declared on the class from the one declaration (generated/types.ts). */
export interface CloreServerSettings extends CloreServerSettingsOutputs {}
