import * as pulumi from "@pulumi/pulumi";
import { shimFor } from "../shim";
import type { ServerSettingsInputs } from "./schema";

const PROVIDER = shimFor("server-settings");

export type CloreServerSettingsArgs = { [K in keyof ServerSettingsInputs]: pulumi.Input<ServerSettingsInputs[K]> };

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
export class CloreServerSettings extends pulumi.dynamic.Resource {
  declare readonly name: pulumi.Output<string>;
  declare readonly serverId: pulumi.Output<number | undefined>;
  declare readonly online: pulumi.Output<boolean | undefined>;
  declare readonly availability: pulumi.Output<boolean | undefined>;
  declare readonly mrl: pulumi.Output<number | undefined>;
  declare readonly onDemandPrices: pulumi.Output<Record<string, number> | undefined>;
  declare readonly spotPrices: pulumi.Output<Record<string, number> | undefined>;

  constructor(name: string, args: CloreServerSettingsArgs, opts?: pulumi.CustomResourceOptions) {
    super(PROVIDER, name, { serverId: undefined, online: undefined, previous: undefined, ...args }, opts, "clore", "ServerSettings");
  }
}
