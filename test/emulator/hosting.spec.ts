import { strict as assert } from "node:assert";
import { call, onDemandBody } from "./helpers";
import { useEmulator } from "../helpers/emulator";

describe("emulator: hosted servers and set_server_settings", () => {
  const emu = useEmulator({ timeScale: 0.01, rateLimit: false });
  beforeEach(() => emu.reset());

  const settings = (body: Record<string, unknown>) =>
    call(emu, "set_server_settings", { body: { name: "rig-alpha", availability: true, mrl: 72, ...body } });
  const myServer = async (name = "rig-alpha") =>
    (await call(emu, "my_servers")).body.servers.find((s: any) => s.name === name);
  const config = async (name = "rig-alpha") =>
    (await call(emu, "server_config", { method: "GET", body: { server_name: name } })).body.config;
  const listed = async () => (await call(emu, "marketplace")).body.servers.find((s: any) => s.id === 41873);

  it("applies the current layout everywhere: my_servers, server_config and marketplace", async () => {
    const r = await settings({
      mrl: 96,
      "CLORE-Blockchain_on_demand": 1600,
      "CLORE-Blockchain_spot": 900,
      "USD-Blockchain_on_demand": 4,
      "enabled-bitcoin": false,
      "enabled-CLORE-Blockchain": true,
      "enabled-USD-Blockchain": true,
    });
    assert.deepEqual(r.body, { code: 0 });
    const mine = await myServer();
    assert.equal(mine.pricing["CLORE-Blockchain"], 1600);
    assert.equal(mine.min_spot_pricing["CLORE-Blockchain"], 900);
    assert.deepEqual(mine.allowed_currencies, ["CLORE-Blockchain", "USD-Blockchain"]);
    const c = await config();
    assert.deepEqual([c.mrl, c.pricing["USD-Blockchain"], c.spot_pricing["CLORE-Blockchain"]], [96, 4, 900]);
    assert.deepEqual(c.allowed_coins, ["CLORE-Blockchain", "USD-Blockchain"]);
    const m = await listed();
    assert.equal(m.mrl, 96);
    assert.deepEqual(m.price.on_demand, { "CLORE-Blockchain": 1600, "USD-Blockchain": 4 });
    assert.equal(m.price.usd.on_demand_usd, 4);
    assert.equal(m.price.usd.on_demand_btc, 0, "bitcoin is no longer accepted");
  });

  it("applies the legacy layout (on_demand / spot = bitcoin per day)", async () => {
    assert.deepEqual((await settings({ on_demand: 0.00005, spot: 0.00003 })).body, { code: 0 });
    const mine = await myServer();
    assert.deepEqual([mine.pricing.bitcoin, mine.min_spot_pricing.bitcoin], [0.00005, 0.00003]);
    assert.equal((await listed()).price.on_demand.bitcoin, 0.00005);
  });

  it('derives coin prices from usd_pricing where autoprice is "usd"', async () => {
    await settings({
      autoprice: { "CLORE-Blockchain": "usd" },
      usd_pricing: { "CLORE-Blockchain": { on_demand: 5, spot: 2.5 } },
    });
    const c = await config();
    assert.equal(c.autoprice["CLORE-Blockchain"], "usd");
    assert.deepEqual(c.usd_pricing["CLORE-Blockchain"], { on_demand: 5, spot: 2.5 });
    assert.equal(c.pricing["CLORE-Blockchain"], 2000, "5 USD / 0.0025 USD per CLORE");
    assert.equal((await listed()).price.original_usd["CLORE-Blockchain"].on_demand, 5);
  });

  it("hides a server with availability: false from the marketplace and from create_order", async () => {
    await settings({ availability: false });
    assert.equal((await myServer()).visibility, "hidden");
    assert.equal((await config()).visibility, "hidden");
    assert.equal(await listed(), undefined);
    assert.deepEqual((await call(emu, "create_order", { body: onDemandBody(41873) })).body, {
      code: 6,
      error: "server_not_found",
    });
    await settings({ availability: true });
    assert.equal((await listed()).id, 41873);
  });

  it("charges the new price for orders created after a change", async () => {
    await settings({ "USD-Blockchain_on_demand": 4.5 });
    await call(emu, "create_order", { body: onDemandBody(41873) });
    assert.equal(emu.activeOrders()[0].price, 4.5);
  });

  it("keeps a never-connected server out of the marketplace whatever its settings", async () => {
    assert.deepEqual((await settings({ name: "rig-beta", "CLORE-Blockchain_on_demand": 100 })).body, { code: 0 });
    const beta = await myServer("rig-beta");
    assert.deepEqual(
      [beta.connected, beta.visibility, beta.pricing["CLORE-Blockchain"], "specs" in beta],
      [false, "public", 100, false],
    );
    const market = (await call(emu, "marketplace")).body.servers;
    assert.ok(!market.some((s: any) => s.id === 41874));
    assert.equal(
      (await call(emu, "server_config", { method: "GET", body: { server_name: "rig-beta" } })).body.creation_completed,
      false,
    );
  });

  it("answers an unknown server name with code 6 server_not_found (invented)", async () => {
    assert.deepEqual((await settings({ name: "rig-gamma" })).body, { code: 6, error: "server_not_found" });
    assert.deepEqual((await call(emu, "server_config", { method: "GET", body: { server_name: "rig-gamma" } })).body, {
      code: 6,
      error: "server_not_found",
    });
  });
});
