import { strict as assert } from "node:assert";
import { call, onDemandBody } from "./helpers";
import { useEmulator } from "../helpers/emulator";

describe("emulator: injected faults", () => {
  const emu = useEmulator({ timeScale: 0.01, rateLimit: false });
  beforeEach(() => emu.reset());

  it("db-error answers HTTP 500 {code: 1} once, then the endpoint works again", async () => {
    emu.faults.inject({ endpoint: "wallets", kind: "db-error" });
    const r = await call(emu, "wallets");
    assert.equal(r.status, 500);
    assert.deepEqual(r.body, { code: 1 });
    assert.equal((await call(emu, "wallets")).status, 200);
  });

  it("rate-limit answers a burst of HTTP 429 {code: 5}", async () => {
    emu.faults.inject({ kind: "rate-limit", times: 3 });
    for (let i = 0; i < 3; i++) assert.deepEqual((await call(emu, "my_orders")).body, { code: 5 });
    assert.equal((await call(emu, "my_orders")).status, 200);
  });

  it("delay answers late (delayMs of real time)", async () => {
    emu.faults.inject({ endpoint: "wallets", kind: "delay", delayMs: 150 });
    const start = Date.now();
    const r = await call(emu, "wallets");
    assert.equal(r.status, 200);
    assert.ok(Date.now() - start >= 140, `answered after ${Date.now() - start} ms`);
  });

  it("drop closes the connection without an answer", async () => {
    emu.faults.inject({ endpoint: "wallets", kind: "drop" });
    await assert.rejects(call(emu, "wallets"), (e: any) =>
      /SocketError|other side closed|ECONNRESET/i.test(`${e.name} ${e.code} ${e.message}`),
    );
    const entry = emu.requests.at(-1)!;
    assert.deepEqual(
      [entry.endpoint, entry.dropped, entry.fault, entry.httpStatus],
      ["wallets", true, "drop", undefined],
    );
  });

  it("create-then-error rents the server and then answers HTTP 500 {code: 1}", async () => {
    emu.faults.inject({ endpoint: "create_order", kind: "create-then-error" });
    const r = await call(emu, "create_order", { body: onDemandBody(41873) });
    assert.equal(r.status, 500);
    assert.deepEqual(r.body, { code: 1 });
    assert.deepEqual(
      emu.activeOrders().map((o) => o.serverId),
      [41873],
    );
    assert.equal((await call(emu, "my_orders")).body.orders.length, 1);
  });

  it("create-then-drop rents the server and then drops the connection", async () => {
    emu.faults.inject({ endpoint: "create_order", kind: "create-then-drop" });
    await assert.rejects(call(emu, "create_order", { body: onDemandBody(41873) }));
    assert.deepEqual(
      emu.activeOrders().map((o) => o.serverId),
      [41873],
    );
  });

  it("malformed answers HTTP 200 with truncated JSON", async () => {
    emu.faults.inject({ endpoint: "my_orders", kind: "malformed" });
    const r = await call(emu, "my_orders");
    assert.equal(r.status, 200);
    assert.equal(r.text, '{"code":0,"orders":[');
    assert.equal(r.body, undefined);
  });

  it("not-json answers with an HTML error page", async () => {
    emu.faults.inject({ kind: "not-json" });
    const r = await call(emu, "wallets");
    assert.equal(r.status, 502);
    assert.match(String(r.headers["content-type"]), /text\/html/);
    assert.match(r.text, /^<html>/);
  });

  it("field-error answers HTTP 200 code 6 with the given error and fields", async () => {
    emu.faults.inject({
      endpoint: "create_order",
      kind: "field-error",
      error: "too_low_price",
      fields: { min_price: 3.2 },
    });
    const r = await call(emu, "create_order", { body: onDemandBody(41873) });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { code: 6, error: "too_low_price", min_price: 3.2 });
    assert.deepEqual(emu.allOrders(), []);
  });

  it("hits only the named endpoint, first injected first", async () => {
    emu.faults.inject({ endpoint: "create_order", kind: "db-error" });
    emu.faults.inject({ endpoint: "*", kind: "rate-limit" });
    assert.equal((await call(emu, "wallets")).status, 429);
    assert.equal((await call(emu, "wallets")).status, 200);
    assert.equal((await call(emu, "create_order", { body: onDemandBody(41873) })).status, 500);
  });

  it('keeps a times: "always" fault until clear()', async () => {
    emu.faults.inject({ kind: "db-error", times: "always" });
    for (let i = 0; i < 3; i++) assert.equal((await call(emu, "wallets")).status, 500);
    assert.equal(emu.faults.list().length, 1);
    emu.faults.clear();
    assert.equal((await call(emu, "wallets")).status, 200);
  });

  it("is not consumed by requests refused before it (bad key)", async () => {
    emu.faults.inject({ kind: "db-error" });
    assert.equal((await call(emu, "wallets", { key: "wrong" })).status, 401);
    assert.equal((await call(emu, "wallets")).status, 500);
  });

  it("refuses an invalid fault spec with a message naming the field", () => {
    assert.throws(() => emu.faults.inject({ kind: "field-error" }), /error: field-error needs an `error` string/);
    assert.throws(() => emu.faults.inject({ kind: "explode" as never }), /kind:/);
    assert.throws(() => emu.faults.inject({ endpoint: "nope" as never, kind: "drop" }), /endpoint:/);
  });
});
