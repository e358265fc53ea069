// Test program for test/reliability: like programs/order (orders shaped by stack config) plus
// what the reliability specs need: a secret jupyterToken, raw extra inputs (`orderExtra`,
// merged last so a bad-input row can send any value, even a wrong type or an unknown
// field), and optional CloreServerSettings / getMarketplace calls with raw arguments.
// Plain JavaScript on purpose: no TypeScript compile, so each `pulumi` run starts faster.
const pulumi = require("@pulumi/pulumi");
const { CloreOrder, CloreServerSettings, getMarketplace } = require("pulumi-clore");

const config = new pulumi.Config();
const count = config.getNumber("count") ?? 1;
const serverIds = config.getObject("serverIds") ?? [];
const extra = config.getObject("orderExtra") ?? {};
// Find-and-rent instead of a fixed server when `select` is set.
const select = config.getObject("select");

const orders = {};
for (let n = 0; n < count; n++) {
  const order = new CloreOrder(`order-${n}`, {
    ...(select ? { select } : { serverId: serverIds[n] ?? config.requireNumber("serverId") }),
    image: config.get("image") ?? "cloreai/ubuntu22.04-cuda12",
    currency: config.get("currency") ?? "USD-Blockchain",
    type: config.get("type") ?? "on-demand",
    spotPrice: config.getNumber("spotPrice"),
    ports: config.getObject("ports") ?? { 22: "tcp" },
    env: config.getSecretObject("env"),
    sshPassword: config.getSecret("sshPassword"),
    jupyterToken: config.getSecret("jupyterToken"),
    readyTimeout: config.getNumber("readyTimeout"),
    waitForReady: config.getBoolean("waitForReady"),
    ...extra,
  });
  orders[`order-${n}`] = pulumi
    .all([order.orderId, order.serverId, order.status])
    .apply(([orderId, serverId, status]) => ({ orderId, serverId, status }));
}
exports.orders = orders;

const settings = config.getObject("settings");
if (settings) new CloreServerSettings("settings", settings);

const marketplace = config.getObject("marketplace");
if (marketplace) exports.cheapest = getMarketplace(marketplace).then((r) => r.cheapest?.id ?? null);
