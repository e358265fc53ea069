import * as pulumi from "@pulumi/pulumi";
import { CloreServerSettings } from "pulumi-clore";

const config = new pulumi.Config();
const server = config.get("server") ?? "rig-alpha";
const usdPerDay = config.getNumber("usdPerDay") ?? 3.4;

// `pulumi destroy` restores the settings found before (onDelete: "restore", the default).
const settings = new CloreServerSettings(server, {
  name: server,
  availability: true,
  mrl: 96,
  onDemandPrices: { "USD-Blockchain": usdPerDay },
  spotPrices: { "USD-Blockchain": Math.round(usdPerDay * 0.55 * 100) / 100 },
});

export const serverId = settings.serverId;
export const onDemandPrices = settings.onDemandPrices;
