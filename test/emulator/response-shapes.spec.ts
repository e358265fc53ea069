import { strict as assert } from "node:assert";
import { ENDPOINTS, type EndpointName } from "../../provider/sdk";
import { useEmulator } from "../helpers/emulator";
import { call, fixture, onDemandBody, shapeDiff } from "./helpers";

/**
 * Every success payload parses with the SDK's response model for its endpoint, and has
 * the exact field names and JSON types of the shared fixtures (made-up values, real shapes).
 */
describe("emulator: response shapes", () => {
  // Boot after 1 virtual hour (36 s real): the provisioning answer cannot race the boot.
  const emu = useEmulator({ timeScale: 0.01, rateLimit: false, bootDelayMs: 3_600_000 });
  const answers = new Map<string, any>();

  async function get(name: EndpointName | string, o: Parameters<typeof call>[2] = {}): Promise<any> {
    const r = await call(emu, name, o);
    assert.equal(r.status, 200, `${name}: ${r.text}`);
    assert.equal(r.body.code, 0, `${name}: ${r.text}`);
    const endpoint = name as EndpointName;
    const parsed = ENDPOINTS[endpoint].response.safeParse(r.body);
    assert.ok(parsed.success, `${name} does not parse with the SDK model: ${!parsed.success && parsed.error.message}`);
    return r.body;
  }

  function assertShape(actual: unknown, expected: unknown, optional: string[] = []) {
    const diff = shapeDiff(actual, expected, "$", optional);
    assert.deepEqual(diff, [], diff.join("\n"));
  }

  before(async () => {
    // A provisioning order first, then two running ones and one cancelled.
    await get("create_order", { body: onDemandBody(41873, { env: { A: "1" } }) });
    answers.set("provisioning", await get("my_orders"));
    await get("create_order", {
      body: {
        type: "spot",
        currency: "CLORE-Blockchain",
        image: "nvidia/cuda:12.4.1-runtime-ubuntu22.04",
        renting_server: 38811,
        spotprice: 350,
        ports: { "22": "tcp", "5000": "tcp", "8080": "http" },
      },
    });
    await get("create_order", { body: onDemandBody(52211) });
    emu.advance(3_600_000);
    await emu.idle();
    await get("cancel_order", { body: { id: emu.allOrders()[2].id } });
  });

  it("wallets matches the fixture", async () => assertShape(await get("wallets"), fixture("wallets.json")));

  it("my_servers matches the fixture, the never-connected server without specs", async () => {
    const body = await get("my_servers");
    const f = fixture("my_servers.json");
    assert.deepEqual(
      body.servers.map((s: any) => s.name),
      ["rig-alpha", "rig-beta"],
    );
    assertShape(body.servers[0], f?.servers[0]);
    assertShape(body.servers[1], f?.servers[1]);
    assert.equal(body.limit, 100);
  });

  it("server_config matches the fixture", async () => {
    const f = fixture("server_config.json");
    // autoprice values are "usd" | false; the seed turns autoprice off, the fixture has it on.
    for (const c of Object.keys(f.config.autoprice)) f.config.autoprice[c] = false;
    assertShape(await get("server_config", { method: "GET", body: { server_name: "rig-alpha" } }), f);
  });

  it("marketplace servers match the fixture and my_servers lists the caller's servers", async () => {
    const body = await get("marketplace");
    const f = fixture("marketplace.json");
    assert.ok(body.servers.length >= 10);
    for (const s of body.servers.filter((x: any) => x.allowed_coins.length === 3))
      assertShape(s, f?.servers[0], ["$.oc", "$.price.original_usd"]);
    for (const s of body.servers) {
      for (const c of Object.keys(s.price.on_demand))
        assert.ok(s.allowed_coins.includes(c), `${s.id} prices ${c} it does not accept`);
    }
    assert.deepEqual(body.my_servers, [41873, 41874]);
    assert.deepEqual(Object.keys(body).sort(), ["code", "my_servers", "servers"]);
  });

  it("a provisioning order matches my_orders_provisioning_INFERRED (fixture)", () => {
    const body = answers.get("provisioning");
    assert.equal(body.orders.length, 1);
    assertShape(body.orders[0], fixture("my_orders_provisioning_INFERRED.json")?.orders[0]);
    assert.deepEqual(
      [
        body.orders[0].online,
        body.orders[0].mon_container,
        body.orders[0].pub_cluster,
        body.orders[0].tcp_ports,
        body.orders[0].http_pub,
      ],
      [false, 0, [], [], ""],
    );
  });

  it("running on-demand and spot orders match my_orders (fixture)", async () => {
    const body = await get("my_orders");
    const f = fixture("my_orders.json");
    const [onDemand, spot] = body.orders;
    assertShape(onDemand, f?.orders[0]);
    // The fixture's spot server is older: no stock_oc_override / gpus in its specs.
    assertShape(spot, f?.orders[1], ["$.my_past_rating", "$.specs.stock_oc_override", "$.specs.gpus"]);
    assert.equal(spot.spot, true);
    assert.equal(spot.price, 350);
    assert.equal(body.limit, 50);
  });

  it("return_completed adds the cancelled order as in my_orders_return_completed (fixture)", async () => {
    const body = await get("my_orders", { query: { return_completed: "true" } });
    const f = fixture("my_orders_return_completed.json");
    assert.equal(body.orders.length, 3);
    // original_price_usd is optional: the fixture's old order lacks it, 52211 has USD pricing.
    assertShape(body.orders[2], f?.orders[2], ["$.original_price_usd"]);
    assert.equal(body.orders[2].expired, true);
  });

  it("spot_marketplace matches the fixture", async () => {
    const body = await get("spot_marketplace", { query: { market: "38811" } });
    assertShape(body, fixture("spot_marketplace.json"));
    assert.ok(body.market.offers.some((o: any) => o.my && o.bid === 350));
  });

  it("account endpoints match their fixtures", async () => {
    assertShape(await get("poh_balance"), fixture("poh_balance.json"));
    assertShape(await get("renter_fees"), fixture("renter_fees.json"));
    assertShape(await get("get_gigaspot"), fixture("get_gigaspot.json"));
  });

  it("the GigaSPOT snapshot at v1_snapshot_url matches the fixture", async () => {
    const url = new URL((await get("get_gigaspot")).v1_snapshot_url);
    const r = await call(emu, url.pathname, { key: null });
    const f = fixture("gigaspot_snapshot.json");
    assert.ok(r.body["40329"] && r.body["35083"]);
    assertShape(r.body["40329"], f?.["40329"]);
  });

  it("writes answer like their fixtures", async () => {
    const order = emu.activeOrders()[1];
    assertShape(
      await get("set_spot_price", { body: { order_id: order.id, desired_price: 400 } }),
      fixture("set_spot_price.json"),
    );
    assertShape(
      await get("set_server_settings", { body: { name: "rig-alpha", availability: true, mrl: 72 } }),
      fixture("set_server_settings.json"),
    );
    assertShape(await get("cancel_orders", { body: { order_ids: [order.id] } }), fixture("cancel_orders.json"));
    assertShape(await get("cancel_order", { body: { id: emu.activeOrders()[0].id } }), fixture("cancel_order.json"));
    const created = await get("create_gigaspot_orders", {
      body: [
        {
          currency: "CLORE-Blockchain",
          image: "a3f9c4d7e5b088d8a0bff880",
          renting_server: 40329,
          price: 800,
          oc: [{ pl: 350 }],
        },
      ],
    });
    assertShape(created, fixture("create_gigaspot_orders.json"));
    const gigaId = emu.activeOrders().find((o) => o.gigaspot)!.id;
    assertShape(
      await get("edit_gigaspot_orders", { body: [{ order_id: gigaId, price: 900 }] }),
      fixture("edit_gigaspot_orders.json"),
    );
  });
});
