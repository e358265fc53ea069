import { strict as assert } from "node:assert";
import { keyFingerprint } from "../../provider/sdk";
import { call } from "./helpers";
import { useEmulator } from "../helpers/emulator";

describe("emulator: routing, auth and request checks", () => {
  const emu = useEmulator({ timeScale: 0.01, rateLimit: false, apiKeys: ["second-key"] });

  it("serves the API under /v1 on 127.0.0.1", () => {
    assert.match(emu.url, /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
  });

  it("answers a missing auth header with HTTP 401 and code 3", async () => {
    const r = await call(emu, "wallets", { key: null });
    assert.equal(r.status, 401);
    assert.deepEqual(r.body, { code: 3 });
  });

  it("answers an unknown key with HTTP 401 and code 3", async () => {
    const r = await call(emu, "my_orders", { key: "not-a-key" });
    assert.equal(r.status, 401);
    assert.deepEqual(r.body, { code: 3 });
  });

  it("rejects `Authorization: Bearer` (the key goes in the `auth` header)", async () => {
    const { request } = await import("undici");
    const res = await request(`${emu.url}/wallets`, { headers: { authorization: `Bearer ${emu.apiKey}` } });
    assert.equal(res.statusCode, 401);
    assert.deepEqual(await res.body.json(), { code: 3 });
  });

  it("accepts every key in apiKeys", async () => {
    const r = await call(emu, "wallets", { key: "second-key" });
    assert.equal(r.status, 200);
    assert.equal(r.body.code, 0);
  });

  it("serves the marketplace without a key unless marketplaceRequiresAuth", async () => {
    const open = await call(emu, "marketplace", { key: null });
    assert.equal(open.status, 200);
    assert.deepEqual(open.body.my_servers, []);
    emu.options.marketplaceRequiresAuth = true;
    try {
      const closed = await call(emu, "marketplace", { key: null });
      assert.equal(closed.status, 401);
      assert.deepEqual(closed.body, { code: 3 });
    } finally {
      emu.options.marketplaceRequiresAuth = false;
    }
  });

  it("answers an unknown endpoint with HTTP 404 and code 4", async () => {
    for (const path of ["no_such_endpoint", "/v2/wallets", "/"]) {
      const r = await call(emu, path);
      assert.equal(r.status, 404, path);
      assert.deepEqual(r.body, { code: 4 }, path);
    }
  });

  it("answers a method the endpoint table does not list with HTTP 405 and code 4", async () => {
    const r = await call(emu, "wallets", { method: "POST", body: {} });
    assert.equal(r.status, 405);
    assert.deepEqual(r.body, { code: 4 });
  });

  it("answers bodies that fail the SDK's request schema with code 2 naming the field", async () => {
    const rows: [string, unknown, string][] = [
      ["create_order", { type: "on-demand", currency: "USD-Blockchain", image: "x" }, "renting_server: is required"],
      [
        "create_order",
        { type: "on_demand", currency: "USD-Blockchain", image: "x", renting_server: 1 },
        "type: must be one of",
      ],
      [
        "create_order",
        { type: "spot", currency: "DOGE", image: "x", renting_server: 1, spotprice: 1 },
        "currency: must be one of",
      ],
      ["cancel_order", { id: "12" }, "id: must be a number"],
      ["cancel_orders", { order_ids: [] }, "order_ids"],
      ["set_spot_price", { order_id: 1 }, "desired_price: is required"],
      ["set_server_settings", { name: "rig-alpha", availability: true }, "mrl: is required"],
    ];
    for (const [endpoint, body, phrase] of rows) {
      const r = await call(emu, endpoint, { body });
      assert.equal(r.status, 400, `${endpoint} ${JSON.stringify(body)}`);
      assert.equal(r.body.code, 2);
      assert.ok(String(r.body.error).includes(phrase), `${endpoint}: "${r.body.error}" should contain "${phrase}"`);
    }
  });

  it("answers a body that is not JSON with code 2", async () => {
    const r = await call(emu, "cancel_order", { method: "POST", rawBody: "{id:" });
    assert.equal(r.status, 400);
    assert.deepEqual(r.body, { code: 2, error: "body: not valid JSON" });
  });

  it("checks query strings with the SDK's query schemas", async () => {
    const missing = await call(emu, "spot_marketplace");
    assert.equal(missing.body.code, 2);
    assert.match(missing.body.error, /^market: /);
    const bad = await call(emu, "my_orders", { query: { return_completed: "yes" } });
    assert.equal(bad.body.code, 2);
    assert.match(bad.body.error, /^return_completed: must be one of "true", "false"/);
  });

  it("takes server_config as GET with a JSON body, POST, or ?server_name=", async () => {
    const get = await call(emu, "server_config", { method: "GET", body: { server_name: "rig-alpha" } });
    const post = await call(emu, "server_config", { method: "POST", body: { server_name: "rig-alpha" } });
    const query = await call(emu, "server_config", { query: { server_name: "rig-alpha" } });
    for (const r of [get, post, query]) {
      assert.equal(r.status, 200);
      assert.equal(r.body.config.name, "rig-alpha");
    }
  });

  it("logs requests with the key's fingerprint and never the key", async () => {
    emu.requests.length = 0;
    await call(emu, "cancel_order", { body: { id: 999_999 } });
    const [entry] = emu.requests;
    assert.equal(entry.endpoint, "cancel_order");
    assert.equal(entry.method, "POST");
    assert.equal(entry.keyFingerprint, keyFingerprint(emu.apiKey));
    assert.deepEqual(entry.body, { id: 999_999 });
    assert.equal(entry.httpStatus, 200);
    assert.equal(entry.apiCode, 6);
    assert.ok(!JSON.stringify(emu.requests).includes(emu.apiKey));
  });
});
