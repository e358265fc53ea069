import * as pulumi from "@pulumi/pulumi";
import { CloreOrder } from "pulumi-clore";

const config = new pulumi.Config();

// Find-and-rent: the cheapest match when the order is created, kept on later runs (a server
// you rent is no longer on offer, so a second `pulumi up` of a healthy stack changes nothing).
const gpu = new CloreOrder("trainer", {
  select: { gpus: ["RTX 4090"] },
  maxPricePerDay: 10,
  image: "cloreai/ubuntu22.04-cuda12",
  currency: "USD-Blockchain",
  ports: { "22": "tcp" },
  sshPassword: config.requireSecret("sshPassword"),
});

export const server = gpu.serverId;
export const ssh = gpu.sshCommand;
