import { strict as assert } from "node:assert";
import { connect } from "node:net";
import { request } from "undici";
import type { RequestLogEntry } from "../../provider/emulator";
import { type CloreClient, RateLimiter, type Clock, type CreateOrderParams } from "../../provider/sdk";
import { isolatedClient, useEmulator } from "../helpers/emulator";

/**
 * Every SDK method over real HTTP against a fresh emulator (port 0) for this file. The
 * emulator runs 100× faster than real time (1 s of API time = 10 ms real), and so does the
 * SDK: its limiter, backoff and polling run on the emulator's own clock with sleeps scaled
 * the same way, so a second of limiter spacing or backoff costs 10 ms.
 */
const TIME_SCALE = 0.01;

/**
 * The limiter's spacing, in API time. The emulator enforces exactly 1000 / 5000 ms; spacing
 * sends exactly that far apart gets about half of them a 429 here, because timers fire with
 * millisecond granularity and arrival times jitter (as with the real API over a network).
 */
const LIMITS = { minIntervalMs: 1200, createIntervalMs: 5200 };

const UBUNTU_CCR = "a3f9c4d7e5b088d8a0bff880";

describe("client methods against the local emulator", () => {
  const emu = useEmulator({ timeScale: TIME_SCALE });
  let client: CloreClient;
  let apiClock: Clock;
  // One limiter for every client here: the emulator counts the budget per key.
  let rateLimiter: RateLimiter;

  before(() => {
    apiClock = {
      now: () => emu.now(),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms * TIME_SCALE))),
    };
    rateLimiter = new RateLimiter({ clock: apiClock, limits: LIMITS });
    client = isolatedClient(emu, { rateLimiter, clock: apiClock });
  });
  after(() => client?.close());
  beforeEach(() => emu.reset());

  /** Requests the emulator processed (a 429 was not: the SDK waits and resends it). */
  const processed = (): RequestLogEntry[] => emu.requests.filter((r) => r.httpStatus !== 429);
  /** Processed requests for `endpoint`, oldest first. */
  const sent = (endpoint: string): RequestLogEntry[] => processed().filter((r) => r.endpoint === endpoint);
  const endpoints = () => processed().map((r) => r.endpoint);

  async function rent(params: Partial<CreateOrderParams> = {}) {
    return client.createOrder({
      serverId: 38811,
      image: "cloreai/ubuntu22.04-cuda12",
      type: "on-demand",
      currency: "USD-Blockchain",
      ...params,
    } as CreateOrderParams);
  }

  describe("account", () => {
    it("wallets() lists every currency with its balance and deposit address", async () => {
      const wallets = await client.wallets();
      assert.deepEqual(
        wallets.map((w) => [w.name, w.balance]),
        [
          ["bitcoin", 0.00153176],
          ["CLORE-Blockchain", 12500.5],
          ["USD-Blockchain", 42.17],
        ],
      );
      assert.ok(wallets.every((w) => typeof w.deposit === "string" && w.deposit.length > 10));
      assert.equal(sent("wallets")[0].method, "GET");
    });

    it("renterFees() gives the fee percentages, creation fees and PoH balance", async () => {
      const r = await client.renterFees();
      assert.equal(r.renter_fees.on_demand?.base["USD-Blockchain"], 10);
      assert.equal(r.renter_fees.spot?.base.bitcoin, 2.5);
      assert.equal(r.creation_fees?.on_demand?.["CLORE-Blockchain"], 20);
      assert.equal(r.poh_balance, 50_000);
    });

    it("pohBalance() gives the Proof-of-Holding items and totals", async () => {
      const r = await client.pohBalance();
      assert.equal(r.count, 1);
      assert.equal(r.items[0].status, "active");
      assert.equal(r.balance?.total, 50_000);
    });
  });

  describe("marketplace()", () => {
    const ids = (servers: { id: number }[]) => servers.map((s) => s.id).sort((a, b) => a - b);

    it("lists only servers that are not rented by default", async () => {
      const all = await client.marketplace({ availableOnly: false });
      const available = await client.marketplace();
      assert.ok(
        all.some((s) => s.id === 52210 && !s.available),
        "52210 is rented by someone else",
      );
      assert.deepEqual(ids(available), ids(all.filter((s) => s.available)));
      assert.ok(!available.some((s) => s.id === 52210));
    });

    it("filters by GPU model substring, case-insensitively", async () => {
      assert.deepEqual(ids(await client.marketplace({ gpu: "rtx 3090" })), [52211]);
      assert.deepEqual(ids(await client.marketplace({ gpu: "RTX 3090", availableOnly: false })), [52210, 52211]);
    });

    it("filters by minimum GPU count", async () => {
      assert.deepEqual(ids(await client.marketplace({ minGpuCount: 2 })), [35083, 52211, 60101]);
      assert.deepEqual(ids(await client.marketplace({ minGpuCount: 4 })), [60101]);
    });

    it("filters by minimum RAM in GB", async () => {
      assert.deepEqual(ids(await client.marketplace({ minRamGb: 200 })), [52211, 60101, 60103]);
    });

    it("filters by maximum on-demand USD price per hour (a CLORE-only server is priced in CLORE, not as free)", async () => {
      const cheap = await client.marketplace({ maxPriceUsd: 0.06 });
      assert.deepEqual(ids(cheap), [38811, 60104]);
      assert.ok(cheap.every((s) => s.priceUsdPerHour! <= 0.06));
      const clorePriced = (await client.marketplace({ availableOnly: false })).find((s) => s.id === 35083)!;
      assert.equal(clorePriced.priceUsdPerDay, 1.5);
    });

    it("combines filters", async () => {
      assert.deepEqual(ids(await client.marketplace({ gpu: "4090", maxPriceUsd: 0.2 })), [40329, 41873]);
      assert.deepEqual(ids(await client.marketplace({ gpu: "4090", minRamGb: 100 })), [40329]);
    });

    it("filters client-side: one plain GET per call, and works without an API key", async () => {
      const anonymous = isolatedClient(emu, { apiKey: undefined, rateLimiter, clock: apiClock });
      try {
        const servers = await anonymous.marketplace({ gpu: "A100" });
        assert.deepEqual(ids(servers), [60101]);
        const s = servers[0];
        assert.deepEqual([s.gpuModel, s.gpuCount, s.location, s.available], ["NVIDIA A100 80GB PCIe", 4, "US", true]);
      } finally {
        await anonymous.close();
      }
      assert.deepEqual(
        sent("marketplace").map((r) => [r.method, r.query, r.body, r.keyFingerprint, r.httpStatus]),
        [["GET", undefined, undefined, "anonymous", 200]],
      );
    });
  });

  describe("hosting", () => {
    it("myServers() shows each hosted server's status, GPU and RAM", async () => {
      const servers = await client.myServers();
      assert.deepEqual(
        servers.map((s) => [s.name, s.status, s.gpuModel, s.ramGb]),
        [
          ["rig-alpha", "Online", "NVIDIA GeForce RTX 4090", 62.73],
          ["rig-beta", "Disconnected", undefined, undefined],
        ],
      );
    });

    it("serverConfig() sends a GET with a JSON body and returns the config with its prices", async () => {
      const c = await client.serverConfig("rig-alpha");
      assert.deepEqual(
        {
          name: c.name,
          id: c.id,
          mrl: c.mrl,
          availability: c.availability,
          onDemandPrice: c.onDemandPrice,
          spotPrice: c.spotPrice,
          gpuModel: c.gpuModel,
        },
        {
          name: "rig-alpha",
          id: 41873,
          mrl: 72,
          availability: true,
          onDemandPrice: 3.6,
          spotPrice: 2.05,
          gpuModel: "NVIDIA GeForce RTX 4090",
        },
      );
      const [req] = sent("server_config");
      assert.equal(req.method, "GET");
      assert.deepEqual(req.body, { server_name: "rig-alpha" });
      assert.equal(req.query, undefined);
    });

    it("serverConfig() of a server you do not host is a FieldError", async () => {
      await assert.rejects(client.serverConfig("no-such-rig"), {
        code: "CLORE_FIELD_ERROR",
        endpoint: "server_config",
      });
    });

    it("setServerSettings() with the official Python SDK's arguments sends the legacy body and the change shows in server_config", async () => {
      await client.setServerSettings({
        name: "rig-alpha",
        availability: true,
        mrl: 96,
        onDemand: 0.00004,
        spot: 0.00002,
      });
      assert.deepEqual(sent("set_server_settings")[0].body, {
        name: "rig-alpha",
        availability: true,
        mrl: 96,
        on_demand: 0.00004,
        spot: 0.00002,
      });
      const c = await client.serverConfig("rig-alpha");
      assert.deepEqual([c.mrl, c.pricing?.bitcoin, c.spot_pricing?.bitcoin], [96, 0.00004, 0.00002]);
    });

    it("setServerSettings() per currency sends <Currency>_on_demand / enabled-<Currency> keys and can hide the server", async () => {
      await client.setServerSettings({
        name: "rig-alpha",
        availability: false,
        mrl: 48,
        onDemandPrices: { "USD-Blockchain": 3.9 },
        spotPrices: { "USD-Blockchain": 2.2 },
        enabledCurrencies: ["bitcoin", "USD-Blockchain"],
      });
      assert.deepEqual(sent("set_server_settings")[0].body, {
        name: "rig-alpha",
        availability: false,
        mrl: 48,
        "USD-Blockchain_on_demand": 3.9,
        "USD-Blockchain_spot": 2.2,
        "enabled-bitcoin": true,
        "enabled-CLORE-Blockchain": false,
        "enabled-USD-Blockchain": true,
      });
      const c = await client.serverConfig("rig-alpha");
      assert.deepEqual(
        [c.availability, c.mrl, c.pricing?.["USD-Blockchain"], c.allowed_coins],
        [false, 48, 3.9, ["bitcoin", "USD-Blockchain"]],
      );
      assert.ok(
        !(await client.marketplace({ availableOnly: false })).some((s) => s.id === 41873),
        "a hidden server leaves the marketplace",
      );
    });

    it("setServerSettings() without availability and mrl reads them from server_config first", async () => {
      await client.setServerSettings({ name: "rig-alpha", onDemandPrices: { bitcoin: 0.00005 } });
      assert.deepEqual(endpoints(), ["server_config", "set_server_settings"]);
      assert.deepEqual(sent("set_server_settings")[0].body, {
        name: "rig-alpha",
        availability: true,
        mrl: 72,
        bitcoin_on_demand: 0.00005,
      });
    });
  });

  describe("orders", () => {
    it("createOrder() sends the snake_case body and returns the new order found in my_orders", async () => {
      const order = await rent({
        ports: { "22": "tcp", "8888": "http" },
        env: { HF_HOME: "/data" },
        sshPassword: "Secret123",
        jupyterToken: "tok",
        command: "echo hi",
        requiredPrice: 1,
        autosshEntrypoint: true,
      });
      assert.deepEqual(sent("create_order")[0].body, {
        type: "on-demand",
        currency: "USD-Blockchain",
        image: "cloreai/ubuntu22.04-cuda12",
        renting_server: 38811,
        ports: { "22": "tcp", "8888": "http" },
        env: { HF_HOME: "/data" },
        jupyter_token: "tok",
        ssh_password: "Secret123",
        command: "echo hi",
        required_price: 1,
        autossh_entrypoint: true,
      });
      assert.equal(sent("create_order")[0].method, "POST");
      const [created] = emu.allOrders();
      assert.deepEqual(
        {
          id: order.id,
          serverId: order.serverId,
          type: order.type,
          status: order.status,
          price: order.price,
          currency: order.currency,
        },
        {
          id: created.id,
          serverId: 38811,
          type: "on-demand",
          status: "provisioning",
          price: 1,
          currency: "USD-Blockchain",
        },
      );
      assert.deepEqual(endpoints(), ["create_order", "my_orders"]);
    });

    it("createOrder() of a spot order sends `spotprice` and the order comes back as spot", async () => {
      const order = await rent({ serverId: 52211, type: "spot", spotPrice: 3 });
      const body = sent("create_order")[0].body as Record<string, unknown>;
      assert.deepEqual([body.type, body.spotprice, "required_price" in body], ["spot", 3, false]);
      assert.deepEqual([order.type, order.serverId, order.price], ["spot", 52211, 3]);
    });

    it("a booted order has its SSH host, SSH port (which really answers) and HTTPS URL", async () => {
      const order = await rent({ ports: { "22": "tcp", "8888": "http" }, sshPassword: "Secret123" });
      emu.advance(20_000); // the emulator's boot delay
      await emu.idle();
      const [running] = await client.myOrders();
      const inEmu = emu.allOrders()[0];
      assert.equal(running.id, order.id);
      assert.equal(running.status, "running");
      assert.equal(running.sshHost, "127.0.0.1");
      assert.equal(running.sshPort, inEmu.tcpPorts.find((p) => p.container === "22")!.public);
      assert.equal(running.httpUrl, `https://${inEmu.httpPub}`);
      const banner = await new Promise<string>((resolve, reject) => {
        const socket = connect(running.sshPort!, running.sshHost!);
        socket.once("data", (d) => {
          socket.destroy();
          resolve(d.toString());
        });
        socket.once("error", reject);
      });
      assert.match(banner, /^SSH-2\.0-/);
    });

    it("createOrder() refused by the API (server already rented) throws without looking for an order", async () => {
      await assert.rejects(rent({ serverId: 52210, currency: "bitcoin" }), {
        code: "CLORE_FIELD_ERROR",
        apiError: "server-already-rented",
      });
      assert.deepEqual(endpoints(), ["create_order"]);
    });

    it("myOrders() lists active orders; includeCompleted adds ended ones as expired", async () => {
      const order = await rent();
      await client.cancelOrder(order.id);
      assert.deepEqual(await client.myOrders(), []);
      const all = await client.myOrders({ includeCompleted: true });
      assert.deepEqual(
        all.map((o) => [o.id, o.expired, o.status]),
        [[order.id, true, "expired"]],
      );
      const [active, completed] = sent("my_orders").slice(-2);
      assert.equal(active.query, undefined);
      assert.deepEqual(completed.query, { return_completed: "true" });
    });

    it("cancelOrder(id, issue) sends the issue; without one the body is just the id", async () => {
      const first = await rent();
      await client.cancelOrder(first.id, "GPU #1 throws Xid errors under load");
      const second = await rent({ serverId: 41873 });
      await client.cancelOrder(second.id);
      assert.deepEqual(
        sent("cancel_order").map((r) => r.body),
        [{ id: first.id, issue: "GPU #1 throws Xid errors under load" }, { id: second.id }],
      );
      const orders = emu.allOrders();
      assert.deepEqual(
        orders.map((o) => [o.id, o.state, o.issue]),
        [
          [first.id, "cancelled", "GPU #1 throws Xid errors under load"],
          [second.id, "cancelled", undefined],
        ],
      );
    });

    it("cancelOrder() of an unknown order is a FieldError", async () => {
      await assert.rejects(client.cancelOrder(999_999), { code: "CLORE_FIELD_ERROR", endpoint: "cancel_order" });
    });

    it("cancelOrders() splits more than 64 ids into batches and reports the ones it could not cancel", async () => {
      const order = await rent();
      const unknown = Array.from({ length: 69 }, (_, i) => 900_000 + i);
      const r = await client.cancelOrders([order.id, ...unknown]);
      const batches = sent("cancel_orders").map((x) => (x.body as { order_ids: number[] }).order_ids);
      assert.deepEqual(
        batches.map((b) => b.length),
        [64, 6],
      );
      assert.deepEqual(batches.flat(), [order.id, ...unknown]);
      assert.deepEqual(r.failedToCancel, unknown);
      assert.equal(emu.allOrders()[0].state, "cancelled");
    });
  });

  describe("spot", () => {
    it("spotMarketplace() shows the offers with the official Python SDK's names, the minimums and USD rates", async () => {
      const m = await client.spotMarketplace(38811);
      assert.equal(m.exists, true);
      assert.deepEqual(
        m.offers.map((o) => [o.orderId, o.price, o.currency, o.my]),
        [
          [612399, 0.8, "USD-Blockchain", false],
          [612400, 310, "CLORE-Blockchain", false],
        ],
      );
      assert.equal(m.server?.min_pricing?.["USD-Blockchain"], 0.75);
      assert.equal(m.currency_rates_in_usd?.bitcoin, 95_000);
      assert.deepEqual(sent("spot_marketplace")[0].query, { market: "38811" });
    });

    it("spotMarketplace() of a server without a market says it does not exist", async () => {
      const m = await client.spotMarketplace(999_999);
      assert.deepEqual([m.exists, m.offers], [false, []]);
    });

    it("setSpotPrice() raises freely, lowers by at most max_step, once per 600 s", async () => {
      const order = await rent({ type: "spot", spotPrice: 0.9 });
      await client.setSpotPrice(order.id, 1.0);
      assert.deepEqual(sent("set_spot_price")[0].body, { order_id: order.id, desired_price: 1 });
      assert.equal(emu.allOrders()[0].price, 1);

      await assert.rejects(client.setSpotPrice(order.id, 0.8), {
        code: "CLORE_FIELD_ERROR",
        apiError: "exceeded_max_step",
      });
      await client.setSpotPrice(order.id, 0.95);
      await assert.rejects(client.setSpotPrice(order.id, 0.9), (e: any) => {
        assert.equal(e.apiError, "can_lower_every_600_seconds");
        assert.ok(e.response.time_to_lowering > 0 && e.response.time_to_lowering <= 600);
        assert.match(e.message, /once every 600 s; try again in \d+ s/);
        return true;
      });
      emu.advance(600_000);
      await client.setSpotPrice(order.id, 0.9);
      assert.equal(emu.allOrders()[0].price, 0.9);
      assert.ok(
        (await client.spotMarketplace(38811)).offers.some((o) => o.orderId === order.id && o.my && o.price === 0.9),
      );
    });
  });

  describe("GigaSPOT", () => {
    it("getGigaspot() gives the user id and a snapshot URL that serves the market", async () => {
      const g = await client.getGigaspot();
      assert.equal(g.my_user_id, 2911);
      const res = await request(g.v1_snapshot_url!);
      const snapshot = (await res.body.json()) as Record<string, unknown>;
      assert.equal(res.statusCode, 200);
      assert.deepEqual(Object.keys(snapshot).sort(), ["35083", "40329"]);
    });

    it("createGigaspotOrders() rents what it can and lists the rest; editGigaspotOrders() changes bids", async () => {
      const r = await client.createGigaspotOrders([
        { currency: "CLORE-Blockchain", image: UBUNTU_CCR, renting_server: 40329, price: 800, oc: [{ pl: 350 }] },
        { currency: "CLORE-Blockchain", image: UBUNTU_CCR, renting_server: 60101, price: 800, oc: [{ pl: 300 }] },
      ]);
      assert.deepEqual(
        [r.status, r.failed_to_rent_servers, r.failed_to_oc_servers, r.too_low_bids_servers],
        ["ok", [60101], [], []],
      );
      const [order] = emu.allOrders();
      assert.deepEqual([order.serverId, order.gigaspot, order.price], [40329, true, 800]);
      assert.equal(sent("create_gigaspot_orders")[0].method, "POST");

      const e = await client.editGigaspotOrders([
        { order_id: order.id, price: 850 },
        { order_id: 999_999, price: 850 },
      ]);
      assert.deepEqual(
        [e.success_to_update_ids, e.failed_to_update_ids, e.too_low_bid_ids],
        [[order.id], [999_999], []],
      );
      assert.equal(emu.allOrders()[0].price, 850);
    });
  });

  describe("surviving the API's failures", () => {
    it("finds the order when create_order rented the server but the connection dropped", async () => {
      emu.faults.inject({ endpoint: "create_order", kind: "create-then-drop" });
      const order = await rent();
      assert.equal(order.id, emu.allOrders()[0].id);
      assert.equal(sent("create_order").length, 1, "create_order was not resent");
    });

    it("finds the order when create_order rented the server but answered code 1", async () => {
      emu.faults.inject({ endpoint: "create_order", kind: "create-then-error" });
      const order = await rent();
      assert.equal(order.id, emu.allOrders()[0].id);
      assert.equal(sent("create_order").length, 1);
    });

    it("says the order may exist when create_order dropped before renting and nothing shows up", async () => {
      emu.faults.inject({ endpoint: "create_order", kind: "drop" });
      await assert.rejects(rent(), (e: any) => {
        assert.equal(e.code, "CLORE_ORDER_OUTCOME_UNKNOWN");
        assert.match(e.message, /The order may exist/);
        return true;
      });
      assert.deepEqual(emu.allOrders(), []);
      assert.equal(sent("create_order").length, 1);
      assert.ok(sent("my_orders").length >= 2, "polled my_orders before giving up");
    });

    it("retries a read through an injected 429 and a database error", async () => {
      emu.faults.inject({ endpoint: "wallets", kind: "rate-limit" });
      emu.faults.inject({ endpoint: "wallets", kind: "db-error" });
      assert.equal((await client.wallets()).length, 3);
      assert.deepEqual(
        emu.requests.filter((r) => r.endpoint === "wallets").map((r) => [r.httpStatus, r.fault]),
        [
          [429, "rate-limit"],
          [500, "db-error"],
          [200, undefined],
        ],
      );
    });
  });
});
