import { strict as assert } from "node:assert";
import { useEmulator } from "../helpers/emulator";
import { call, fixture, onDemandBody } from "./helpers";

const SPOT = {
  type: "spot",
  currency: "CLORE-Blockchain",
  image: "nvidia/cuda:12.4.1-runtime-ubuntu22.04",
  renting_server: 38811,
  spotprice: 350,
  ports: { "22": "tcp" },
};
const HOUR = 3_600_000;

describe("emulator: spot orders", () => {
  const emu = useEmulator({ timeScale: 0.01, rateLimit: false });
  let id: number;
  beforeEach(async () => {
    emu.reset();
    Object.assign(emu.options, { spotErrorCode: 6, spotErrorHttpStatus: 200 });
    assert.deepEqual((await call(emu, "create_order", { body: SPOT })).body, { code: 0 });
    id = emu.activeOrders()[0].id;
    emu.advance(20_000);
  });
  const setPrice = (desired: number, order = id) =>
    call(emu, "set_spot_price", { body: { order_id: order, desired_price: desired } });
  const myOrder = async () => (await call(emu, "my_orders")).body.orders.find((o: any) => o.id === id);

  it("shows a spot order with spot: true, its bid as price, and as my offer in spot_marketplace", async () => {
    const o = await myOrder();
    assert.deepEqual([o.spot, o.price, o.currency], [true, 350, "CLORE-Blockchain"]);
    const market = (await call(emu, "spot_marketplace", { query: { market: "38811" } })).body;
    assert.equal(market.exists, true);
    assert.deepEqual(
      market.market.offers.find((x: any) => x.my),
      { offer_id: id, bid: 350, active: true, my: true, currency: "CLORE-Blockchain" },
    );
    assert.ok(
      market.market.offers.filter((x: any) => !x.my).every((x: any) => !x.active),
      "the winning bid deactivates the others",
    );
    assert.equal(market.market.server.min_pricing["CLORE-Blockchain"], 300);
  });

  it("answers exists: false, and a market without offers, for a server without a spot market", async () => {
    const body = (await call(emu, "spot_marketplace", { query: { market: "1" } })).body;
    assert.deepEqual(
      { ...body, market: { ...body.market, currency_rates_in_usd: undefined } },
      { exists: false, code: 0, market: { offers: [], currency_rates_in_usd: undefined } },
    );
    assert.equal(body.market.currency_rates_in_usd["USD-Blockchain"], 1);
  });

  it("always lets the bid rise", async () => {
    for (const p of [400, 900, 5000]) assert.deepEqual((await setPrice(p)).body, { code: 0 });
    assert.equal((await myOrder()).price, 5000);
  });

  it("refuses a reduction larger than max_step with exceeded_max_step", async () => {
    const r = await setPrice(300);
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { code: 6, error: "exceeded_max_step", max_step: 40 });
    assert.deepEqual(Object.keys(r.body).sort(), Object.keys(fixture("set_spot_price_exceeded_max_step.json")).sort());
    assert.equal((await myOrder()).price, 350);
  });

  it("allows one reduction per 600 s and says how long to wait (advance())", async () => {
    assert.deepEqual((await setPrice(320)).body, { code: 0 });
    emu.advance(113_000);
    const r = await setPrice(310);
    assert.equal(r.body.code, 6);
    assert.equal(r.body.error, "can_lower_every_600_seconds");
    assert.ok(
      r.body.time_to_lowering > 400 && r.body.time_to_lowering <= 487,
      `time_to_lowering ${r.body.time_to_lowering}`,
    );
    assert.deepEqual(
      Object.keys(r.body).sort(),
      Object.keys(fixture("set_spot_price_can_lower_every_600_seconds.json")).sort(),
    );
    assert.deepEqual((await setPrice(400)).body, { code: 0 }, "raising is still allowed");
    emu.advance(600_000);
    assert.deepEqual((await setPrice(370)).body, { code: 0 });
    assert.equal((await myOrder()).price, 370);
  });

  it("refuses a bid under the server's minimum with too_low_price", async () => {
    await setPrice(330);
    emu.advance(600_000);
    assert.deepEqual((await setPrice(299)).body, { code: 6, error: "too_low_price", min_price: 300 });
  });

  it("uses spotErrorCode / spotErrorHttpStatus for the two reduction errors", async () => {
    Object.assign(emu.options, { spotErrorCode: 1, spotErrorHttpStatus: 500 });
    const r = await setPrice(100 + 200);
    assert.equal(r.status, 500);
    assert.deepEqual(r.body, { code: 1, error: "exceeded_max_step", max_step: 40 });
  });

  it("refuses set_spot_price on an on-demand order and on an unknown order (invented strings)", async () => {
    await call(emu, "create_order", { body: onDemandBody(41873) });
    const onDemand = emu.activeOrders().find((o) => o.type === "on-demand")!.id;
    assert.deepEqual((await setPrice(1, onDemand)).body, { code: 6, error: "not_spot_order" });
    assert.deepEqual((await setPrice(1, 999)).body, { code: 6, error: "order_not_found" });
  });

  it("bills each period at the bid in force then", async () => {
    emu.advance(12 * HOUR);
    await setPrice(700);
    emu.advance(12 * HOUR);
    const spend = (await myOrder()).spend;
    assert.ok(Math.abs(spend - (175 + 350)) < 0.5, `spend ${spend}`);
  });

  it("drops an outbid order from the active list and shows it expired with return_completed", async () => {
    emu.outbid(id);
    assert.equal(await myOrder(), undefined);
    const done = (await call(emu, "my_orders", { query: { return_completed: "true" } })).body.orders.find(
      (o: any) => o.id === id,
    );
    assert.equal(done.expired, true);
    const offers = (await call(emu, "spot_marketplace", { query: { market: "38811" } })).body.market.offers;
    assert.ok(
      offers.some((o: any) => !o.my && o.active && o.bid > 350),
      "a higher foreign bid took over",
    );
    assert.deepEqual([emu.allOrders()[0].state, emu.allOrders()[0].endReason], ["expired", "outbid"]);
  });
});
