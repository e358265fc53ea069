import { strict as assert } from "node:assert";
import { useEmulator } from "../helpers/emulator";
import { call, onDemandBody } from "./helpers";

// The control interface drives the emulator from another process: no key, not logged, not rate limited.
describe("emulator: HTTP control interface (/_emulator)", () => {
  const emu = useEmulator({ timeScale: 0.01 });
  beforeEach(() => emu.reset());

  const control = (method: "GET" | "POST" | "PATCH" | "DELETE", path: string, body?: unknown) =>
    call(emu, `/_emulator${path}`, { method, body, key: null });
  async function createOrder(serverId = 41873): Promise<number> {
    assert.deepEqual((await call(emu, "create_order", { body: onDemandBody(serverId) })).body, { code: 0 });
    return emu.allOrders().at(-1)!.id;
  }

  it("lists its routes at GET /_emulator", async () => {
    const r = await control("GET", "");
    assert.equal(r.status, 200);
    assert.equal(r.body.url, emu.url);
    assert.ok(r.body.routes.some((x: string) => x.includes("/_emulator/advance")));
  });

  it("neither logs nor rate-limits control calls", async () => {
    for (let i = 0; i < 5; i++) assert.equal((await control("GET", "/orders")).status, 200);
    assert.equal(emu.requests.length, 0);
  });

  it("returns every order ever created at GET /orders, active ones with ?active=true", async () => {
    const id = await createOrder();
    emu.advance(1000);
    assert.deepEqual((await call(emu, "cancel_order", { body: { id } })).body, { code: 0 });
    emu.advance(5000);
    await createOrder(52211);
    const all = (await control("GET", "/orders")).body.orders;
    assert.deepEqual(
      all.map((o: any) => [o.serverId, o.state]),
      [
        [41873, "cancelled"],
        [52211, "active"],
      ],
    );
    const active = (await call(emu, "/_emulator/orders", { key: null, query: { active: "true" } })).body.orders;
    assert.deepEqual(
      active.map((o: any) => o.serverId),
      [52211],
    );
  });

  it("injects, lists and clears faults", async () => {
    const added = await control("POST", "/faults", { endpoint: "wallets", kind: "db-error", times: 2 });
    assert.equal(added.body.fault.remaining, 2);
    assert.equal((await control("GET", "/faults")).body.faults.length, 1);
    assert.equal((await call(emu, "wallets")).status, 500);
    await control("DELETE", "/faults");
    emu.advance(1000);
    assert.equal((await call(emu, "wallets")).status, 200);
    const bad = await control("POST", "/faults", { kind: "field-error" });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error, /error: field-error needs an `error` string/);
  });

  it("moves the clock with POST /advance, booting orders", async () => {
    const id = await createOrder();
    const r = await control("POST", "/advance", { ms: 20_000 });
    assert.equal(typeof r.body.now, "number");
    const order = (await control("GET", "/orders")).body.orders.find((o: any) => o.id === id);
    assert.equal(order.online, true);
    assert.equal(order.tcpPorts[0].container, "22");
  });

  it("ends and outbids orders", async () => {
    const id = await createOrder();
    const ended = await control("POST", `/orders/${id}/end`, { how: "host-ended" });
    assert.deepEqual([ended.body.order.state, ended.body.order.endReason], ["expired", "host-ended"]);
    assert.equal((await control("POST", `/orders/${id}/end`)).status, 400, "already ended");
    assert.equal((await control("POST", "/orders/1/end")).status, 404);
    assert.equal((await control("POST", `/orders/${id}/end`, { how: "exploded" })).status, 400);
    emu.advance(5000);
    await call(emu, "create_order", {
      body: { type: "spot", currency: "CLORE-Blockchain", image: "x/y", renting_server: 38811, spotprice: 400 },
    });
    const spotId = emu.activeOrders()[0].id;
    const outbid = await control("POST", `/orders/${spotId}/outbid`);
    assert.deepEqual([outbid.body.order.state, outbid.body.order.endReason], ["expired", "outbid"]);
  });

  it("cuts and freezes an order's SSH connections, refusing unknown and ended orders and a freeze without ms", async () => {
    const id = await createOrder();
    assert.deepEqual((await control("POST", `/orders/${id}/ssh-cut`)).body, { connections: 0 });
    assert.deepEqual((await control("POST", `/orders/${id}/ssh-freeze`, { ms: 1000 })).body, { connections: 0 });
    const noMs = await control("POST", `/orders/${id}/ssh-freeze`);
    assert.equal(noMs.status, 400);
    assert.match(noMs.body.error, /ssh-freeze needs \{ms: number > 0\}/);
    assert.equal((await control("POST", "/orders/1/ssh-cut")).status, 404);
    await control("POST", `/orders/${id}/end`);
    const ended = await control("POST", `/orders/${id}/ssh-cut`);
    assert.equal(ended.status, 400);
    assert.match(ended.body.error, /is not active/);
  });

  it("changes options at runtime with PATCH /options and refuses unknown ones", async () => {
    const r = await control("PATCH", "/options", {
      bootDelayMs: 0,
      inventedErrors: { orderNotFound: "no_such_order" },
    });
    assert.equal(r.body.options.bootDelayMs, 0);
    assert.equal(emu.options.inventedErrors.orderNotFound, "no_such_order");
    assert.equal(emu.options.inventedErrors.serverNotFound, "server_not_found", "nested objects merge");
    assert.deepEqual((await call(emu, "cancel_order", { body: { id: 5 } })).body, { code: 6, error: "no_such_order" });
    const bad = await control("PATCH", "/options", { bootDelay: 1 });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error, /unknown option: bootDelay/);
    assert.equal((await control("PATCH", "/options", { timeScale: 0 })).status, 400);
    await control("PATCH", "/options", { bootDelayMs: 20_000, inventedErrors: { orderNotFound: "order_not_found" } });
  });

  it("sets wallet balances with POST /wallets", async () => {
    await control("POST", "/wallets", { currency: "USD-Blockchain", balance: 0 });
    assert.deepEqual((await call(emu, "create_order", { body: onDemandBody(41873) })).body, {
      code: 6,
      error: "not_enough_balance",
    });
    assert.equal((await control("POST", "/wallets", { currency: "DOGE", balance: 1 })).status, 400);
  });

  it("reads and clears the request log", async () => {
    await call(emu, "wallets");
    const log = (await control("GET", "/requests")).body.requests;
    assert.deepEqual(
      log.map((e: any) => [e.endpoint, e.httpStatus, e.apiCode]),
      [["wallets", 200, 0]],
    );
    await control("DELETE", "/requests");
    assert.equal(emu.requests.length, 0);
  });

  it("goes back to the seed data with POST /reset", async () => {
    await createOrder();
    await control("POST", "/reset");
    assert.deepEqual((await control("GET", "/orders")).body.orders, []);
    assert.equal(emu.requests.length, 0);
  });

  it("answers unknown control routes with 404 and a hint", async () => {
    const r = await control("GET", "/nope");
    assert.equal(r.status, 404);
    assert.match(r.body.error, /GET \/_emulator lists them/);
  });
});
