import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { CloreClient, FakeClock, RateLimiter, type CreateOrderParams, type ValidationIssue } from "../../provider/sdk";
import { FakeTransport, byEndpoint, uniqueKey } from "../helpers/fake-transport";
import { fixture } from "../helpers/fixtures";
import { sampleOrder } from "../helpers/emulator";

const ORDER: CreateOrderParams = sampleOrder(41873);
const SPOT: CreateOrderParams = { ...ORDER, type: "spot", spotPrice: 350 };
const SETTINGS = { name: "rig-alpha", availability: true, mrl: 72 };
const GIGA = fixture("requests/create_gigaspot_orders.json")[0];

/**
 * One row per bad input: the call, then every issue it must report (path and the exact
 * message) — the whole list, so an extra or a vaguer message shows up as a diff.
 */
type Row = { name: string; call: (c: CloreClient) => Promise<unknown>; context: string; issues: ValidationIssue[] };

const ROWS: Row[] = [
  // createOrder
  {
    name: "negative spot price",
    call: (c) => c.createOrder({ ...SPOT, spotPrice: -1 }),
    context: "createOrder",
    issues: [{ path: "spotPrice", message: "must be greater than 0 (got -1)" }],
  },
  {
    name: "zero required price",
    call: (c) => c.createOrder({ ...ORDER, requiredPrice: 0 }),
    context: "createOrder",
    issues: [{ path: "requiredPrice", message: "must be greater than 0 (got 0)" }],
  },
  {
    name: "infinite spot price",
    call: (c) => c.createOrder({ ...SPOT, spotPrice: Infinity }),
    context: "createOrder",
    issues: [{ path: "spotPrice", message: "must be a number" }],
  },
  {
    name: "empty image",
    call: (c) => c.createOrder({ ...ORDER, image: "" }),
    context: "createOrder",
    issues: [
      { path: "image", message: "must not be empty" },
      { path: "image", message: "must be a Docker image reference without spaces, e.g. cloreai/ubuntu22.04-cuda12" },
    ],
  },
  {
    name: "image with a space",
    call: (c) => c.createOrder({ ...ORDER, image: "ubuntu latest" }),
    context: "createOrder",
    issues: [
      { path: "image", message: "must be a Docker image reference without spaces, e.g. cloreai/ubuntu22.04-cuda12" },
    ],
  },
  {
    name: "unknown currency",
    call: (c) => c.createOrder({ ...ORDER, currency: "dogecoin" as never }),
    context: "createOrder",
    issues: [
      { path: "currency", message: 'must be one of "bitcoin", "CLORE-Blockchain", "USD-Blockchain" (got "dogecoin")' },
    ],
  },
  {
    name: "order type with an underscore",
    call: (c) => c.createOrder({ ...ORDER, type: "on_demand" as never }),
    context: "createOrder",
    issues: [{ path: "type", message: 'must be one of "on-demand", "spot" (got "on_demand")' }],
  },
  {
    name: "spot without spotPrice",
    call: (c) => c.createOrder({ ...ORDER, type: "spot" }),
    context: "createOrder",
    issues: [{ path: "spotPrice", message: 'is required when type is "spot"' }],
  },
  {
    name: "on-demand with spotPrice",
    call: (c) => c.createOrder({ ...ORDER, spotPrice: 3 }),
    context: "createOrder",
    issues: [{ path: "spotPrice", message: 'is only allowed when type is "spot"' }],
  },
  {
    name: "port 70000",
    call: (c) => c.createOrder({ ...ORDER, ports: { "22": "tcp", "70000": "tcp" } }),
    context: "createOrder",
    issues: [{ path: "ports.70000", message: "must be a port number 1-65535" }],
  },
  {
    name: "port 0",
    call: (c) => c.createOrder({ ...ORDER, ports: { "0": "tcp" } }),
    context: "createOrder",
    issues: [{ path: "ports.0", message: "must be a port number 1-65535" }],
  },
  {
    name: 'port protocol "udp"',
    call: (c) => c.createOrder({ ...ORDER, ports: { "22": "tcp", "53": "udp" as never } }),
    context: "createOrder",
    issues: [{ path: "ports.53", message: 'must be one of "tcp", "http" (got "udp")' }],
  },
  {
    name: "two http ports",
    call: (c) => c.createOrder({ ...ORDER, ports: { "80": "http", "8888": "http" } }),
    context: "createOrder",
    issues: [{ path: "ports", message: "at most one port may be 'http' (an order has one http_port)" }],
  },
  {
    name: 'env name "1BAD"',
    call: (c) => c.createOrder({ ...ORDER, env: { GOOD: "1", "1BAD": "x" } }),
    context: "createOrder",
    issues: [{ path: "env.1BAD", message: "must be a valid environment variable name ([A-Za-z_][A-Za-z0-9_]*)" }],
  },
  {
    name: "oversize env value",
    call: (c) => c.createOrder({ ...ORDER, env: { BIG: "x".repeat(1537) } }),
    context: "createOrder",
    issues: [{ path: "env.BIG", message: "must be at most 1536 characters" }],
  },
  {
    name: "env over 12288 characters in total",
    call: (c) =>
      c.createOrder({
        ...ORDER,
        env: Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`K${i}`, "x".repeat(1500)])),
      }),
    context: "createOrder",
    issues: [{ path: "env", message: "must be under 12288 characters as JSON" }],
  },
  {
    name: "unknown field in createOrder params (snake_case typo)",
    call: (c) => c.createOrder({ ...ORDER, spot_price: 3 } as never),
    context: "createOrder",
    issues: [{ path: "spot_price", message: "is not a known field; remove it or check its spelling" }],
  },
  {
    name: "ssh key that is not a public key",
    call: (c) => c.createOrder({ ...ORDER, sshKey: "hunter2" }),
    context: "createOrder",
    issues: [{ path: "sshKey", message: "must be an OpenSSH public key (ssh-ed25519 …, ssh-rsa …, ecdsa-…)" }],
  },
  {
    name: "ssh password over 32 characters",
    call: (c) => c.createOrder({ ...ORDER, sshPassword: "p".repeat(33) }),
    context: "createOrder",
    issues: [{ path: "sshPassword", message: "must be at most 32 characters" }],
  },
  {
    name: "fractional server id",
    call: (c) => c.createOrder({ ...ORDER, serverId: 1.5 }),
    context: "createOrder",
    issues: [{ path: "serverId", message: "must be an integer (got 1.5)" }],
  },
  {
    name: "server id as a string",
    call: (c) => c.createOrder({ ...ORDER, serverId: "41873" as never }),
    context: "createOrder",
    issues: [{ path: "serverId", message: "must be an integer" }],
  },
  {
    name: "empty params",
    call: (c) => c.createOrder({} as never),
    context: "createOrder",
    issues: [
      { path: "serverId", message: "is required" },
      { path: "image", message: "is required" },
      { path: "type", message: 'must be one of "on-demand", "spot"' },
      { path: "currency", message: 'must be one of "bitcoin", "CLORE-Blockchain", "USD-Blockchain"' },
    ],
  },
  // the other methods
  {
    name: "cancelOrder(0)",
    call: (c) => c.cancelOrder(0),
    context: "cancelOrder",
    issues: [{ path: "orderId", message: "must be greater than 0 (got 0)" }],
  },
  {
    name: "cancelOrder with an issue over 2048 characters",
    call: (c) => c.cancelOrder(612345, "x".repeat(2049)),
    context: "cancelOrder",
    issues: [{ path: "issue", message: "must be at most 2048 characters" }],
  },
  {
    name: "setSpotPrice(-1)",
    call: (c) => c.setSpotPrice(612402, -1),
    context: "setSpotPrice",
    issues: [{ path: "price", message: "must be greater than 0 (got -1)" }],
  },
  {
    name: "setSpotPrice on order 1.5",
    call: (c) => c.setSpotPrice(1.5, 380),
    context: "setSpotPrice",
    issues: [{ path: "orderId", message: "must be an integer (got 1.5)" }],
  },
  {
    name: "spotMarketplace(-3)",
    call: (c) => c.spotMarketplace(-3),
    context: "spotMarketplace",
    issues: [{ path: "serverId", message: "must be greater than 0 (got -3)" }],
  },
  {
    name: "setServerSettings negative legacy price",
    call: (c) => c.setServerSettings({ ...SETTINGS, onDemand: -0.1 }),
    context: "setServerSettings",
    issues: [{ path: "onDemand", message: "must be >= 0 (got -0.1)" }],
  },
  {
    name: "setServerSettings negative per-currency price",
    call: (c) => c.setServerSettings({ ...SETTINGS, spotPrices: { bitcoin: -2 } }),
    context: "setServerSettings",
    issues: [{ path: "spotPrices.bitcoin", message: "must be >= 0 (got -2)" }],
  },
  {
    name: "setServerSettings unknown currency",
    call: (c) => c.setServerSettings({ ...SETTINGS, onDemandPrices: { dogecoin: 1 } as never }),
    context: "setServerSettings",
    issues: [
      { path: "onDemandPrices.dogecoin", message: 'must be one of "bitcoin", "CLORE-Blockchain", "USD-Blockchain"' },
    ],
  },
  {
    name: "setServerSettings empty name",
    call: (c) => c.setServerSettings({ ...SETTINGS, name: "" }),
    context: "setServerSettings",
    issues: [{ path: "name", message: "must not be empty" }],
  },
  {
    name: "setServerSettings mrl 0",
    call: (c) => c.setServerSettings({ ...SETTINGS, mrl: 0 }),
    context: "setServerSettings",
    issues: [{ path: "mrl", message: "must be greater than 0 (got 0)" }],
  },
  {
    name: "setServerSettings unknown field",
    call: (c) => c.setServerSettings({ ...SETTINGS, on_demand: 1 } as never),
    context: "setServerSettings",
    issues: [{ path: "on_demand", message: "is not a known field; remove it or check its spelling" }],
  },
  {
    name: "cancelOrders([])",
    call: (c) => c.cancelOrders([]),
    context: "cancelOrders",
    issues: [{ path: "orderIds", message: "must not be empty" }],
  },
  {
    name: "cancelOrders with a negative id",
    call: (c) => c.cancelOrders([1, -2]),
    context: "cancelOrders",
    issues: [{ path: "orderIds[1]", message: "must be greater than 0 (got -2)" }],
  },
  {
    name: "serverConfig('')",
    call: (c) => c.serverConfig(""),
    context: "server_config",
    issues: [{ path: "server_name", message: "must not be empty" }],
  },
  {
    name: "createGigaspotOrders([])",
    call: (c) => c.createGigaspotOrders([]),
    context: "create_gigaspot_orders",
    issues: [{ path: "", message: "must not be empty" }],
  },
  {
    name: "GigaSPOT order without overclock entries",
    call: (c) => c.createGigaspotOrders([{ ...GIGA, oc: [] }]),
    context: "create_gigaspot_orders",
    issues: [{ path: "[0].oc", message: "must not be empty" }],
  },
  {
    name: "GigaSPOT edit with a negative price",
    call: (c) => c.editGigaspotOrders([{ order_id: 542567, price: -1 }]),
    context: "edit_gigaspot_orders",
    issues: [{ path: "[0].price", message: "must be greater than 0 (got -1)" }],
  },
];

describe("bad input is rejected before any request", () => {
  function client() {
    const clock = new FakeClock();
    const transport = new FakeTransport();
    const c = new CloreClient({
      apiKey: uniqueKey("bad-input"),
      clock,
      rateLimiter: new RateLimiter({ clock }),
      transport,
    });
    return { client: c, transport };
  }

  for (const row of ROWS) {
    it(`${row.name} → ${row.issues.map((i) => `${i.path || "(input)"}: ${i.message}`).join("; ")}`, async () => {
      const { client: c, transport } = client();
      await assert.rejects(row.call(c), (e: any) => {
        assert.equal(e.code, "CLORE_VALIDATION_FAILED", `got ${e}`);
        assert.equal(e.name, "ValidationError");
        assert.deepEqual(
          e.issues.map((i: ValidationIssue) => ({ path: i.path, message: i.message })),
          row.issues,
        );
        assert.equal(
          e.message,
          `${row.context}: ${row.issues.map((i) => `${i.path || "(input)"}: ${i.message}`).join("; ")}`,
        );
        return true;
      });
      assert.equal(transport.requests.length, 0, "nothing was sent");
    });
  }

  it("reports every bad field of one call at once", async () => {
    const { client: c } = client();
    await assert.rejects(
      c.createOrder({ ...ORDER, image: "a b", currency: "eth" as never, ports: { "99999": "tcp" }, env: { "9X": "" } }),
      (e: any) => {
        assert.deepEqual(
          e.issues.map((i: ValidationIssue) => i.path),
          ["image", "currency", "ports.99999", "env.9X"],
        );
        return true;
      },
    );
  });

  describe("without an API key", () => {
    let dir: string;
    before(() => (dir = mkdtempSync(path.join(tmpdir(), "clore-bad-"))));
    after(() => rmSync(dir, { recursive: true, force: true }));

    it("createOrder without a key → MissingApiKeyError only once the params are valid, and nothing is sent", async () => {
      const clock = new FakeClock();
      const transport = new FakeTransport();
      const c = new CloreClient({
        env: {},
        configPath: path.join(dir, "none.json"),
        clock,
        rateLimiter: new RateLimiter({ clock }),
        transport,
      });
      // Bad params are a ValidationError even without a key: fixing the input comes first.
      await assert.rejects(c.createOrder({ ...ORDER, image: "" }), { code: "CLORE_VALIDATION_FAILED" });
      await assert.rejects(c.createOrder(ORDER), { code: "CLORE_MISSING_API_KEY" });
      assert.equal(transport.requests.length, 0);
    });
  });

  it("accepts the valid edge values the table's neighbours reject", async () => {
    const clock = new FakeClock();
    const transport = new FakeTransport(
      byEndpoint({ create_order: { json: { code: 0 } }, my_orders: { json: { code: 0, orders: [] } } }),
    );
    const c = new CloreClient({ apiKey: uniqueKey("edge"), clock, rateLimiter: new RateLimiter({ clock }), transport });
    const ok = c.createOrder(
      { ...ORDER, ports: { "1": "tcp", "65535": "http" }, env: { _A: "x".repeat(1536) }, sshPassword: "p".repeat(32) },
      { findTimeoutMs: 0 },
    );
    // The fake API acks create_order but lists no orders: reaching OrderOutcomeUnknown means validation passed.
    await assert.rejects(ok, { code: "CLORE_ORDER_OUTCOME_UNKNOWN" });
    assert.equal(transport.requests[0].endpoint, "create_order");
  });
});
