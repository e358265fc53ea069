import { strict as assert } from "node:assert";
import { type CloreClient, isCloreError } from "../../provider/sdk";
import { isolatedClient, useEmulator, sampleOrder } from "../helpers/emulator";
import { sleep } from "./helpers";

// The SDK's own client against the emulator, both with real rate limits (timeScale 0.01:
// 10 ms / 50 ms; the client spaces requests 30 ms / 100 ms). The limiter spaces the moments
// requests are *started*; the first request on a fresh connection reaches the emulator up to
// ~50 ms later (connect + cold code paths), so the next one could arrive too soon after it.
// One warm-up request in before() keeps that out of the tests.
describe("emulator: the SDK client against it", () => {
  const emu = useEmulator({ timeScale: 0.01 });
  let client: CloreClient;
  before(async () => {
    client = isolatedClient(emu, { limits: { minIntervalMs: 30, createIntervalMs: 100 }, maxRetries: 0 });
    await client.wallets();
    await sleep(40);
  });
  after(() => client.close());
  beforeEach(() => {
    emu.reset();
    emu.options.bootDelayMs = 20_000;
  });

  it("reads the marketplace, hosted servers, server config and wallets", async () => {
    const servers = await client.marketplace({});
    assert.ok(servers.length >= 7);
    assert.ok(servers.every((s) => s.available));
    const a100 = servers.find((s) => s.id === 60101)!;
    assert.deepEqual([a100.gpuCount, a100.gpuModel, a100.priceUsdPerDay], [4, "NVIDIA A100 80GB PCIe", 48]);
    const mine = await client.myServers();
    assert.deepEqual(
      mine.map((s) => [s.name, s.status]),
      [
        ["rig-alpha", "Online"],
        ["rig-beta", "Disconnected"],
      ],
    );
    const config = await client.serverConfig("rig-alpha");
    assert.equal(config.id, 41873);
    const wallets = await client.wallets();
    assert.deepEqual(
      wallets.map((w) => w.name),
      ["bitcoin", "CLORE-Blockchain", "USD-Blockchain"],
    );
  });

  it("creates an order, finds its id, sees it boot, and cancels it", async () => {
    emu.options.bootDelayMs = 3_600_000; // boots only when the test moves the clock
    const order = await client.createOrder(sampleOrder(41873, { ports: { "22": "tcp" } }));
    assert.equal(order.id, emu.activeOrders()[0].id);
    assert.equal(order.status, "provisioning");
    emu.advance(3_600_000);
    const [running] = await client.myOrders();
    assert.equal(running.status, "running");
    assert.equal(running.sshHost, "127.0.0.1");
    assert.equal(running.sshPort, emu.activeOrders()[0].tcpPorts[0].public);
    await client.cancelOrder(order.id);
    const all = await client.myOrders({ includeCompleted: true });
    assert.equal(all.find((o) => o.id === order.id)!.status, "expired");
  });

  it("keeps the order when create_order fails after renting (create-then-error)", async () => {
    emu.faults.inject({ endpoint: "create_order", kind: "create-then-error" });
    const order = await client.createOrder(sampleOrder(52211));
    assert.equal(order.serverId, 52211);
    assert.equal(emu.allOrders().length, 1, "no second order");
  });

  it("surfaces code 6 refusals as CLORE_FIELD_ERROR with the API's error string", async () => {
    await assert.rejects(
      client.createOrder({ serverId: 52210, image: "x/y", type: "on-demand", currency: "CLORE-Blockchain" }),
      (e: unknown) =>
        isCloreError(e) && e.code === "CLORE_FIELD_ERROR" && (e as any).apiError === "server-already-rented",
    );
  });
});
