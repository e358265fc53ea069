import * as pulumi from "@pulumi/pulumi";
import { CloreOrder, getMarketplace } from "pulumi-clore";

const config = new pulumi.Config();
const gpu = config.get("gpu") ?? "RTX";
const currency = (config.get("currency") ?? "USD-Blockchain") as "USD-Blockchain";
const maxPricePerDay = config.getNumber("maxPricePerDay") ?? 10;

export = async () => {
  // One marketplace call, cached on disk for a minute: preview and up share it.
  const market = await getMarketplace({ gpu, currency, maxPricePerDay });
  if (!market.cheapest) {
    throw new Error(
      `No available server has a "${gpu}" GPU under ${maxPricePerDay} ${currency}/day. Try another gpu or raise maxPricePerDay (pulumi config set maxPricePerDay 20).`,
    );
  }

  const order = new CloreOrder(
    "gpu",
    {
      serverId: market.cheapest.id,
      image: config.get("image") ?? "cloreai/ubuntu22.04-cuda12",
      currency,
      ports: { "22": "tcp", "8888": "http" },
      sshPassword: config.requireSecret("sshPassword"),
      maxPricePerDay,
    },
    // Once rented, the server is no longer "available", so the cheapest match changes.
    // Keep the server we have instead of replacing the order on every run.
    { ignoreChanges: ["serverId"] },
  );

  return {
    orderId: order.orderId,
    gpu: `${market.cheapest.gpuModel} ×${market.cheapest.gpuCount}`,
    pricePerDay: order.pricePerDay,
    sshCommand: order.sshCommand,
    httpUrl: order.httpUrl,
  };
};
