import assert from "node:assert/strict";
import { changeBid } from "../../provider/resources/order/spot-bid";
import type { CloreClient } from "../../provider/sdk";
import { isolatedClient, useEmulator } from "../helpers/emulator";

describe("lowering a spot bid", function () {
  this.timeout(30_000);
  const emu = useEmulator({ timeScale: 0.01 });
  let client: CloreClient;
  let orderId: number;

  before(async () => {
    client = isolatedClient(emu, { limits: { minIntervalMs: 40, createIntervalMs: 120 } });
    const order = await client.createOrder({
      serverId: 60101,
      image: "img",
      type: "spot",
      currency: "USD-Blockchain",
      spotPrice: 40,
    });
    orderId = order.id;
  });
  after(() => client.close());

  it("raises a bid at once", async () => {
    assert.equal(await changeBid(client, orderId, 40, 41, "USD-Blockchain"), 41);
  });

  it("lowers by at most max_step now and leaves the rest for later runs", async () => {
    const bid = await changeBid(client, orderId, 41, 31, "USD-Blockchain");
    assert.ok(bid < 41 && bid > 31, `bid ${bid}`);
    assert.equal(emu.activeOrders()[0]!.price, bid);
  });

  it("keeps the bid when the 600 s rule forbids another lowering yet", async () => {
    const current = emu.activeOrders()[0]!.price;
    assert.equal(await changeBid(client, orderId, current, 31, "USD-Blockchain"), current);
  });
});
