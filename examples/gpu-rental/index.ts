import * as pulumi from "@pulumi/pulumi";
import { CloreOrder } from "pulumi-clore";

const config = new pulumi.Config();
const gpu = config.get("gpu") ?? "RTX";
const currency = (config.get("currency") ?? "USD-Blockchain") as "USD-Blockchain";
const maxPricePerDay = config.getNumber("maxPricePerDay") ?? 10;

// Find-and-rent: the provider picks the cheapest match when the order is created and keeps it
// on every later run. (A program that picked `getMarketplace(...).cheapest.id` itself would
// fail or replace the order on its second run: a rented server is no longer on offer.)
const order = new CloreOrder("gpu", {
  select: { gpus: [gpu] },
  maxPricePerDay, // candidates above it are skipped; no match fails with what to change
  image: config.get("image") ?? "cloreai/ubuntu22.04-cuda12",
  currency,
  ports: { "22": "tcp", "8888": "http" },
  sshPassword: config.requireSecret("sshPassword"),
});

export const orderId = order.orderId;
export const serverId = order.serverId;
export const gpus = order.server.apply((s) => s?.gpuModels.join(", "));
export const pricePerDay = order.pricePerDay;
export const sshCommand = order.sshCommand;
export const httpUrl = order.httpUrl;
