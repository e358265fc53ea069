import assert from "node:assert/strict";
import { join } from "node:path";
import type { Emulator } from "../../provider/emulator";
import { sdkClient } from "../reliability/helpers";
import { ORDER_TYPE, REPO, type TestStack, resourcesOfType, useEmulatorStack } from "./harness";
import { sampleOrder } from "../helpers/emulator";

const PROGRAM = join(REPO, "test/pulumi/programs/order");

/** Find-and-rent, budget guard, honest TTL and spot outbid handling, on the real engine. */
describe("beyond the other GPU providers", function () {
  this.timeout(300_000);
  const ctx = useEmulatorStack(PROGRAM, { perTest: true });
  let emu: Emulator;
  let stack: TestStack;
  beforeEach(() => ({ emu, stack } = ctx));

  it("fails over across two taken servers to a third", async () => {
    await stack.pulumi(["config", "set", "select", JSON.stringify({ gpus: ["A100", "H100", "RTX"], maxAttempts: 4 })]);
    emu.faults.inject({ endpoint: "create_order", kind: "field-error", error: "server-already-rented", times: 2 });
    const r = await stack.up();
    const creates = emu.requests.filter((q) => q.endpoint === "create_order");
    assert.equal(creates.length, 3);
    const tried = creates.map((q) => (q.body as { renting_server: number }).renting_server);
    assert.equal(new Set(tried).size, 3, `tried ${tried}`);
    const [active] = emu.activeOrders();
    assert.equal(active!.serverId, tried[2]);
    assert.match(r.stdout, /trying the next candidate \(1\/\d\)/);
  });

  it("keeps the chosen server when a cheaper one appears", async () => {
    await stack.pulumi(["config", "set", "select", JSON.stringify({ gpus: ["RTX 3090", "RTX 4090", "A100", "H100"] })]);
    await stack.up();
    const [first] = emu.activeOrders();
    // A new, much cheaper matching server shows up: the next run must not move the order.
    const cheaper = emu.state
      .marketplaceServers()
      .find((s: any) => s.id !== first!.serverId && !emu.state.isRented(s) && s.online !== false)!;
    (cheaper as any).onDemand["USD-Blockchain"] = 0.01;
    await stack.preview(["--expect-no-changes"]);
    // A criteria change the rented server still meets is an in-place update, not a replace.
    await stack.pulumi([
      "config",
      "set",
      "select",
      JSON.stringify({ gpus: ["RTX 3090", "RTX 4090", "A100", "H100"], minGpuCount: 1 }),
    ]);
    const r = await stack.up();
    assert.equal(emu.activeOrders()[0]!.id, first!.id);
    assert.doesNotMatch(r.stdout, /replaced/);
  });

  it("blocks an up over the budget with zero creates, prints the cost line at preview, and lets every order through under the cap", async () => {
    await stack.setConfig("count", "2");
    await stack.pulumi(["config", "set", "--path", "serverIds[0]", "60101"]);
    await stack.pulumi(["config", "set", "--path", "serverIds[1]", "60103"]);
    await stack.setConfig("budget", "true");
    await stack.setConfig("budgetMaxPerDay", "80");
    const preview = await stack.pulumi(["preview"], { allowFail: true });
    // Both orders are estimated from one marketplace answer, not one request each.
    assert.equal(emu.requests.filter((q) => q.endpoint === "marketplace").length, 1);
    assert.match(
      preview.stdout,
      /clore: 2 order\(s\) in budget "stack" cost about \d+(\.\d+)? USD-Blockchain\/day \(\d+(\.\d+)?\/h\)/,
    );
    // Over the cap, preview already fails (the orders' check), before anything could be rented.
    assert.notEqual(preview.code, 0);
    const up = await stack.pulumi(["up", "--yes", "--skip-preview"], { allowFail: true });
    assert.notEqual(up.code, 0);
    const text = up.stdout + up.stderr;
    assert.match(text, /above maxPerDay 80\. Nothing was rented/);
    // One clean line: no serialization wrapper, no stack trace, no promise dump.
    assert.doesNotMatch(text, /error serializing|^\s+at |Promise \{|<ref \*1>/m);
    assert.equal(emu.requests.filter((q) => q.endpoint === "create_order").length, 0);
    assert.equal(emu.allOrders().length, 0);
    // Under the cap, every order in the budget goes ahead (not only the last one declared).
    await stack.setConfig("budgetMaxPerDay", "100000");
    await stack.up();
    assert.equal(emu.activeOrders().length, 2);
  });

  it("cancels an order past its TTL on the next up, and refresh reports it", async () => {
    await stack.setConfig("serverId", "60101");
    await stack.setConfig("ttl", "4s");
    await stack.up();
    const [order] = emu.activeOrders();
    await new Promise((r) => setTimeout(r, 4500));
    const refresh = await stack.refresh();
    assert.match(refresh.stdout, /ttlExpired|~/);
    const up = await stack.up();
    assert.match(up.stdout, /passed its expiry/);
    assert.equal(emu.activeOrders().length, 0);
    assert.equal(emu.allOrders().find((o) => o.id === order!.id)?.state, "cancelled");
    // It stays in state as a record: the next runs change nothing.
    await stack.preview(["--expect-no-changes"]);
    const { json } = await stack.exportState();
    assert.equal(resourcesOfType(json, ORDER_TYPE)[0]?.outputs?.status, "ttl-expired");
  });

  it("adopts an order rented outside Pulumi, and destroy cancels it", async () => {
    await using sdk = sdkClient(emu);
    const existing = await sdk.createOrder(sampleOrder(60103, { ports: { "22": "tcp" } }));
    await stack.setConfig("serverId", "60103");
    await stack.setConfig("adoptOrderId", String(existing.id));
    await stack.up();
    assert.equal(emu.requests.filter((q) => q.endpoint === "create_order").length, 1, "adoption rented another server");
    const { orders } = (await stack.outputs()) as { orders: Record<string, { orderId: number; sshCommand: string }> };
    assert.equal(orders["order-0"]!.orderId, existing.id);
    assert.match(orders["order-0"]!.sshCommand, /^ssh root@/);
    await stack.preview(["--expect-no-changes"]);
    await stack.destroy();
    assert.equal(emu.allOrders().find((o) => o.id === existing.id)?.state, "cancelled");
  });

  it("re-creates an outbid spot order on the next up", async () => {
    await stack.setConfig("serverId", "60101");
    await stack.setConfig("type", "spot");
    await stack.setConfig("spotPrice", "31");
    await stack.up();
    const [spot] = emu.activeOrders();
    emu.outbid(spot!.id);
    await stack.refresh();
    await stack.up();
    const [again] = emu.activeOrders();
    assert.ok(again && again.id !== spot!.id, "the outbid order was not re-created");
    assert.equal(again.type, "spot");
  });
});
