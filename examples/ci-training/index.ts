import * as pulumi from "@pulumi/pulumi";
import { CloreOrder } from "pulumi-clore";

// The program run.ts drives: one GPU order for one CI job, reachable over SSH. runJob sets
// sshPassword (a fresh one per run); the ttl lets the scheduled sweeper end the order if the
// CI runner dies before its `pulumi destroy`.
const config = new pulumi.Config();
const serverId = config.getNumber("serverId");
const maxPricePerDay = config.getNumber("maxPricePerDay");
// A spot bid (per day) rents spot: cheaper, but the order ends when outbid (runJob's restart.onServerLost).
const spotPrice = config.getNumber("spotPrice");
const order = new CloreOrder("trainer", {
  ...(serverId !== undefined
    ? { serverId }
    : { select: { gpus: config.getObject<string[]>("gpus") ?? ["RTX 4090", "RTX 3090"] } }),
  ...(maxPricePerDay !== undefined ? { maxPricePerDay } : {}),
  ...(spotPrice !== undefined ? { type: "spot", spotPrice } : {}),
  image: config.get("image") ?? "cloreai/ubuntu22.04-cuda12",
  currency: "USD-Blockchain",
  ports: { "22": "tcp" },
  sshPassword: config.requireSecret("sshPassword"),
  env: { JOB_ID: pulumi.getStack() },
  ttl: config.get("ttl") ?? "2h",
  readyTimeout: config.getNumber("readyTimeout") ?? 600,
});

export const orderId = order.orderId;
export const sshHost = order.sshHost;
export const sshPort = order.sshPort;
