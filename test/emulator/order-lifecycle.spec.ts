import { strict as assert } from "node:assert";
import { useEmulator } from "../helpers/emulator";
import { call, onDemandBody, probeTcp, sleep } from "./helpers";

// timeScale 0.01. Orders boot after 10 virtual minutes (6 s real) unless a test moves the
// clock, so a slow machine never boots one early; one test waits for a real 20 s boot (200 ms).
const BOOT_MS = 600_000;
describe("emulator: order lifecycle", () => {
  const emu = useEmulator({ timeScale: 0.01, rateLimit: false });
  beforeEach(() => {
    emu.reset();
    Object.assign(emu.options, {
      bootDelayMs: BOOT_MS,
      orderVisibleDelayMs: 0,
      cancelLingerMs: 0,
      listenTcpPorts: true,
      cancelUnknown: "error",
    });
  });

  async function activeOrders(): Promise<any[]> {
    return (await call(emu, "my_orders")).body.orders;
  }
  async function createAndBoot(serverId = 41873): Promise<any> {
    assert.deepEqual((await call(emu, "create_order", { body: onDemandBody(serverId) })).body, { code: 0 });
    emu.advance(BOOT_MS);
    await emu.idle();
    return (await activeOrders()).find((o) => o.si === serverId);
  }
  const sshPort = (o: any) => Number(o.tcp_ports.find((p: string) => p.startsWith("22:")).split(":")[1]);

  it("answers create_order with {code: 0} and no order id", async () => {
    const r = await call(emu, "create_order", { body: onDemandBody(41873) });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { code: 0 });
  });

  it("lists the new order at once, offline and without endpoints, and marks the server rented", async () => {
    await call(emu, "create_order", { body: onDemandBody(41873) });
    const [o] = await activeOrders();
    assert.equal(o.si, 41873);
    assert.deepEqual(
      [o.online, o.mon_container, o.pub_cluster, o.tcp_ports, o.http_port, o.http_pub],
      [false, 0, [], [], "8888", ""],
    );
    assert.ok(Math.abs(o.ct - emu.now() / 1000) < 5);
    const market = (await call(emu, "marketplace")).body.servers;
    assert.equal(market.find((s: any) => s.id === 41873).rented, true);
  });

  it("hides a new order from my_orders until orderVisibleDelayMs has passed", async () => {
    emu.options.orderVisibleDelayMs = 600_000;
    await call(emu, "create_order", { body: onDemandBody(41873) });
    assert.deepEqual(await activeOrders(), []);
    assert.equal(emu.allOrders()[0].visible, false);
    emu.advance(600_000);
    assert.equal((await activeOrders()).length, 1);
  });

  it("boots after the scaled boot delay without any request, then publishes the endpoints", async () => {
    emu.options.bootDelayMs = 20_000;
    await call(emu, "create_order", { body: onDemandBody(41873) });
    await sleep(350); // 35 virtual s
    await emu.idle();
    assert.equal(emu.activeOrders()[0].online, true, "the timer booted the order");
    const [o] = await activeOrders();
    assert.equal(o.online, true);
    assert.equal(o.mon_container, 2);
    assert.deepEqual(o.pub_cluster, ["127.0.0.1"]);
    assert.match(o.tcp_ports[0], /^22:\d+$/);
    assert.equal(o.tcp_ports.length, 1, "the http port is not in tcp_ports (httpPortInTcpPorts: false)");
    assert.match(o.http_pub, /^\w+\.http\.emulator\.invalid$/);
  });

  it("really listens on the public SSH port once booted, with an SSH banner", async () => {
    const o = await createAndBoot();
    assert.equal(await probeTcp(sshPort(o)), "SSH-2.0-CloreEmulator\r\n");
  });

  it("grows spend at price per day once online and takes it from the wallet", async () => {
    const before = (await call(emu, "wallets")).body.wallets.find((w: any) => w.name === "USD-Blockchain").balance;
    const o = await createAndBoot();
    emu.advance(12 * 3_600_000);
    const [now] = await activeOrders();
    assert.ok(Math.abs(now.spend - 1.8) < 0.01, `spend ${now.spend} after 12 h at 3.6/day`);
    const after = (await call(emu, "wallets")).body.wallets.find((w: any) => w.name === "USD-Blockchain").balance;
    assert.ok(Math.abs(before - o.creation_fee - now.spend - after) < 1e-3, `${before} - fee - spend != ${after}`);
  });

  it("keeps a cancelled order visible as expired with return_completed, frees the server and closes its port", async () => {
    const o = await createAndBoot();
    const port = sshPort(o);
    assert.deepEqual(
      (await call(emu, "cancel_order", { body: { id: o.id, issue: "GPU #1 throws Xid errors" } })).body,
      { code: 0 },
    );
    assert.deepEqual(await activeOrders(), []);
    const completed = (await call(emu, "my_orders", { query: { return_completed: "true" } })).body.orders;
    assert.equal(completed.length, 1);
    assert.deepEqual([completed[0].id, completed[0].expired, completed[0].online], [o.id, true, false]);
    const market = (await call(emu, "marketplace")).body.servers;
    assert.equal(market.find((s: any) => s.id === 41873).rented, false);
    await assert.rejects(probeTcp(port), { code: "ECONNREFUSED" });
    const [record] = emu.allOrders();
    assert.deepEqual(
      [record.state, record.endReason, record.issue],
      ["cancelled", "cancelled", "GPU #1 throws Xid errors"],
    );
  });

  it("keeps a cancelled order in the active list for cancelLingerMs", async () => {
    emu.options.cancelLingerMs = 5000;
    const o = await createAndBoot();
    await call(emu, "cancel_order", { body: { id: o.id } });
    assert.equal((await activeOrders()).length, 1);
    emu.advance(5000);
    assert.deepEqual(await activeOrders(), []);
  });

  it("answers cancel_order for an unknown or ended order per cancelUnknown", async () => {
    const o = await createAndBoot();
    await call(emu, "cancel_order", { body: { id: o.id } });
    const again = await call(emu, "cancel_order", { body: { id: o.id } });
    assert.equal(again.status, 200);
    assert.deepEqual(again.body, { code: 6, error: "order_not_found" });
    emu.options.cancelUnknown = "ok";
    assert.deepEqual((await call(emu, "cancel_order", { body: { id: 123 } })).body, { code: 0 });
  });

  it("cancels many with cancel_orders and lists the ids it could not cancel", async () => {
    await createAndBoot(41873);
    await createAndBoot(52211);
    const ids = emu.activeOrders().map((o) => o.id);
    const r = await call(emu, "cancel_orders", { body: { order_ids: [...ids, 4242] } });
    assert.deepEqual(r.body, { failed_to_cancel: ["4242"], code: 0 });
    assert.deepEqual(emu.activeOrders(), []);
  });

  it("ends an order outside the API with endOrder: expired in return_completed, port closed", async () => {
    const o = await createAndBoot();
    emu.endOrder(o.id, "host-ended");
    await emu.idle();
    assert.deepEqual(await activeOrders(), []);
    const [done] = (await call(emu, "my_orders", { query: { return_completed: "true" } })).body.orders;
    assert.equal(done.expired, true);
    await assert.rejects(probeTcp(sshPort(o)), { code: "ECONNREFUSED" });
    assert.deepEqual([emu.allOrders()[0].state, emu.allOrders()[0].endReason], ["expired", "host-ended"]);
  });

  it("expires an order once its server's mrl hours have passed", async () => {
    const o = await createAndBoot(); // rig-alpha: mrl 72 h
    emu.advance(72 * 3_600_000);
    assert.deepEqual(await activeOrders(), []);
    assert.equal(emu.allOrders().find((x) => x.id === o.id)!.state, "expired");
  });

  it("hands out made-up ports without listening when listenTcpPorts is false", async () => {
    emu.options.listenTcpPorts = false;
    const o = await createAndBoot();
    assert.equal(sshPort(o), emu.options.fakePortBase);
    assert.equal(o.online, true);
  });

  it("keeps every order ever created in allOrders, with its state", async () => {
    const a = await createAndBoot(41873);
    await createAndBoot(52211);
    await call(emu, "cancel_order", { body: { id: a.id } });
    const all = emu.allOrders();
    assert.deepEqual(
      all.map((o) => [o.serverId, o.state]),
      [
        [41873, "cancelled"],
        [52211, "active"],
      ],
    );
    assert.deepEqual(
      emu.activeOrders().map((o) => o.serverId),
      [52211],
    );
    assert.ok(all[0].endedAt! >= all[0].createdAt);
  });
});
