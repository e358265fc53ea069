import { strict as assert } from "node:assert";
import { call } from "./helpers";

const UBUNTU = "a3f9c4d7e5b088d8a0bff880";
import { useEmulator } from "../helpers/emulator";

describe("emulator: GigaSPOT", () => {
  const emu = useEmulator({ timeScale: 0.01, rateLimit: false });
  beforeEach(() => emu.reset());

  const bid = (renting_server: number, price: number, gpus = 1) => ({
    currency: "CLORE-Blockchain",
    image: UBUNTU,
    renting_server,
    price,
    oc: Array(gpus).fill({ pl: 300 }),
  });

  it("rents what it can and sorts the rest into failed_to_rent / failed_to_oc / too_low_bids", async () => {
    const r = await call(emu, "create_gigaspot_orders", {
      body: [bid(40329, 800), bid(35083, 300), bid(41873, 900), bid(35083, 100, 2)],
    });
    assert.deepEqual(r.body, {
      status: "ok",
      failed_to_oc_servers: [35083],
      failed_to_rent_servers: [41873],
      too_low_bids_servers: [35083],
      code: 0,
    });
    const [order] = emu.activeOrders();
    assert.deepEqual(
      [order.serverId, order.gigaspot, order.type, order.price, order.creationFee],
      [40329, true, "spot", 800, 1],
    );
    const listed = (await call(emu, "my_orders")).body.orders[0];
    assert.deepEqual([listed.spot, listed.http_port], [true, ""]);
  });

  it("shows GigaSPOT bids in the snapshot at v1_snapshot_url", async () => {
    await call(emu, "create_gigaspot_orders", { body: [bid(40329, 800)] });
    const url = (await call(emu, "get_gigaspot")).body.v1_snapshot_url;
    const snapshot = (await call(emu, new URL(url).pathname, { key: null })).body;
    assert.deepEqual(
      snapshot["40329"].bids.map((b: any) => [b.owner, b.price, b.active]),
      [[emu.state.userId, 800, true]],
    );
    assert.equal(snapshot["35083"].min_bid, 250);
  });

  it("edits bids and reports unknown or too-low ones", async () => {
    await call(emu, "create_gigaspot_orders", { body: [bid(40329, 800)] });
    const id = emu.activeOrders()[0].id;
    const r = await call(emu, "edit_gigaspot_orders", {
      body: [
        { order_id: id, price: 850, oc: [{ pl: 350 }] },
        { order_id: 1, price: 900 },
      ],
    });
    assert.deepEqual(r.body, { success_to_update_ids: [id], failed_to_update_ids: [1], too_low_bid_ids: [], code: 0 });
    const low = await call(emu, "edit_gigaspot_orders", { body: [{ order_id: id, price: 10 }] });
    assert.deepEqual(low.body.too_low_bid_ids, [id]);
    assert.equal(emu.activeOrders()[0].price, 850);
  });

  it("cancels GigaSPOT orders with cancel_orders", async () => {
    await call(emu, "create_gigaspot_orders", { body: [bid(40329, 800)] });
    const id = emu.activeOrders()[0].id;
    assert.deepEqual((await call(emu, "cancel_orders", { body: { order_ids: [id] } })).body, {
      failed_to_cancel: [],
      code: 0,
    });
    assert.deepEqual(emu.activeOrders(), []);
  });
});
