import * as pulumi from "@pulumi/pulumi";
import { CloreBudget, CloreOrder } from "pulumi-clore";

// Test program: one or more orders shaped entirely by stack config, so a test changes the
// config and runs `pulumi up` to exercise replace / update / no-op paths.
const config = new pulumi.Config();
const count = config.getNumber("count") ?? 1;
const serverIds: number[] = config.getObject<number[]>("serverIds") ?? [];
const select = config.getObject<Record<string, unknown>>("select");
const currency = (config.get("currency") ?? "USD-Blockchain") as "USD-Blockchain";
const budget = config.getBoolean("budget")
  ? new CloreBudget("stack", { currency, maxPerDay: config.getNumber("budgetMaxPerDay") })
  : undefined;

export const orders: Record<string, pulumi.Output<unknown>> = {};
for (let n = 0; n < count; n++) {
  const order = new CloreOrder(`order-${n}`, {
    serverId: select ? undefined : (serverIds[n] ?? config.requireNumber("serverId")),
    select,
    image: config.get("image") ?? "cloreai/ubuntu22.04-cuda12",
    currency,
    type: (config.get("type") ?? "on-demand") as "on-demand" | "spot",
    spotPrice: config.getNumber("spotPrice"),
    maxPricePerDay: config.getNumber("maxPricePerDay"),
    ports: config.getObject<Record<string, "tcp" | "http">>("ports") ?? { "22": "tcp" },
    env: config.getSecretObject<Record<string, string>>("env"),
    sshPassword: config.getSecret("sshPassword"),
    readyTimeout: config.getNumber("readyTimeout"),
    waitForReady: config.getBoolean("waitForReady"),
    ttl: config.get("ttl"),
    adoptOrderId: config.getNumber("adoptOrderId"),
    budget,
  });
  orders[`order-${n}`] = pulumi
    .all([order.orderId, order.serverId, order.status, order.sshCommand])
    .apply(([orderId, serverId, status, sshCommand]) => ({
      orderId,
      serverId,
      status,
      sshCommand,
    }));
}
