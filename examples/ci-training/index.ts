import * as pulumi from "@pulumi/pulumi";
import { CloreOrder } from "pulumi-clore";

// The program run by run.ts: one GPU order for one CI job.
const config = new pulumi.Config();
const order = new CloreOrder("trainer", {
  serverId: config.requireNumber("serverId"),
  image: config.get("image") ?? "cloreai/ubuntu22.04-cuda12",
  currency: "USD-Blockchain",
  ports: { "22": "tcp" },
  sshPassword: config.requireSecret("sshPassword"),
  env: { JOB_ID: config.get("jobId") ?? "local" },
  readyTimeout: config.getNumber("readyTimeout") ?? 600,
});

export const orderId = order.orderId;
export const sshHost = order.sshHost;
export const sshPort = order.sshPort;
