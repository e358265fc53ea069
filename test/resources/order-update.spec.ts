import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import type { Emulator } from "../../provider/emulator";
import { configure } from "../../provider/resources/dynamic";
import { update } from "../../provider/resources/order/controller";
import { type CloreClient, type CreateOrderParams, isCloreError } from "../../provider/sdk";
import { USD_SERVERS, sdkClient, startFastEmulator } from "../reliability/helpers";

const ORDER: CreateOrderParams = {
  serverId: 60101,
  image: "cloreai/ubuntu22.04-cuda12",
  type: "on-demand",
  currency: "USD-Blockchain",
};
// Paced like the emulator (timeScale 0.05: 1 s → 50 ms) with a margin, so no request draws a 429.
const ENV = { CLORE_MIN_INTERVAL_MS: "55", CLORE_CREATE_INTERVAL_MS: "260", CLORE_RATE_LIMIT_SHARED: "0" };

/** An update (here: a new label-like input that needs no API call) reads the order back with the fate rule. */
describe("CloreOrder update reads the order as the API reports it (an order is gone only when the API says so)", () => {
  let emu: Emulator;
  let client: CloreClient;
  const saved = { ...process.env };

  before(async () => {
    emu = await startFastEmulator({ apiKey: `update-${randomBytes(6).toString("hex")}` });
    client = sdkClient(emu);
    Object.assign(process.env, ENV);
    configure({ get: (k: string) => ({ "clore:apiKey": emu.apiKey, "clore:baseUrl": emu.url })[k] });
  });
  after(async () => {
    configure(undefined);
    for (const k of Object.keys(ENV)) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    await client?.close();
    await emu?.close();
  });

  /** Each test rents its own server (and so gets its own order id), with no reset in between:
   * the provider's client shares one return_completed answer for 2 s, which must not name another test's order. */
  const servers = [...USD_SERVERS];
  async function rented() {
    const order = await client.createOrder({ ...ORDER, serverId: servers.shift()! });
    const news = { ...ORDER, serverId: order.serverId, type: "on-demand", waitForReady: false, readyTimeout: 60 };
    const olds = {
      ...news,
      orderId: order.id,
      status: "running",
      sshHost: "old-host.example",
      rentedAt: "2026-12-07T00:00:00Z",
    };
    return { order, olds, news: { ...news, readyTimeout: 90 } };
  }

  it("a listed order: outputs from the API's answer and the new inputs", async () => {
    const { order, olds, news } = await rented();
    const { outs } = await update(String(order.id), olds, news);
    assert.equal(outs.orderId, order.id);
    assert.equal(outs.readyTimeout, 90);
    assert.notEqual(outs.sshHost, "old-host.example");
  });

  it("an order the API lists as ended: a typed error saying so and what to run", async () => {
    const { order, olds, news } = await rented();
    await client.cancelOrder(order.id);
    await assert.rejects(update(String(order.id), olds, news), (e: unknown) => {
      assert.ok(isCloreError(e) && e.code === "CLORE_ORDER_ENDED", String(e));
      assert.match((e as Error).message, /pulumi refresh/);
      return true;
    });
  });

  it("an order no answer lists: kept as it was with the new inputs (not an error, not 'not found')", async () => {
    const { order, olds, news } = await rented();
    emu.faults.inject({ kind: "orders-empty", times: "always" });
    try {
      const { outs } = await update(String(order.id), olds, news);
      assert.equal(outs.orderId, order.id);
      assert.equal(outs.sshHost, "old-host.example");
      assert.equal(outs.readyTimeout, 90);
      assert.ok(
        emu.activeOrders().some((o) => o.id === order.id),
        "the order is still active",
      );
    } finally {
      emu.faults.clear();
    }
  });
});
