import { strict as assert } from "node:assert";
import type { z } from "zod";
import {
  AuthError,
  CloreClient,
  DatabaseError,
  ENDPOINTS,
  FakeClock,
  FieldError,
  InvalidEndpointError,
  InvalidInputError,
  RateLimitError,
  RateLimiter,
  createOrderBody,
  serverSettingsBody,
  type CloreApiError,
  type EndpointName,
} from "../../provider/sdk";
import { CreateOrderBody, CreateOrderParams } from "../../provider/sdk/order-fields";
import { ServerSettingsParams } from "../../provider/sdk/server-settings-params";
import {
  CancelOrderBody,
  CancelOrdersBody,
  CreateGigaspotOrdersBody,
  EditGigaspotOrdersBody,
  ServerConfigBody,
  SetServerSettingsBody,
  SetSpotPriceBody,
} from "../../provider/sdk/models/requests";
import { FakeTransport, uniqueKey } from "../helpers/fake-transport";
import { fixture, fixtureText, listFixtures } from "../helpers/fixtures";

/** Successful responses: fixture → the endpoint whose response model must accept it. */
const RESPONSES: Record<string, EndpointName> = {
  "cancel_order.json": "cancel_order",
  "cancel_orders.json": "cancel_orders",
  "create_gigaspot_orders.json": "create_gigaspot_orders",
  "create_order.json": "create_order",
  "edit_gigaspot_orders.json": "edit_gigaspot_orders",
  "get_gigaspot.json": "get_gigaspot",
  "marketplace.json": "marketplace",
  "my_orders.json": "my_orders",
  "my_orders_provisioning_INFERRED.json": "my_orders",
  "my_orders_return_completed.json": "my_orders",
  "my_servers.json": "my_servers",
  "poh_balance.json": "poh_balance",
  "renter_fees.json": "renter_fees",
  "server_config.json": "server_config",
  "set_server_settings.json": "set_server_settings",
  "set_spot_price.json": "set_spot_price",
  "spot_marketplace.json": "spot_marketplace",
  "wallets.json": "wallets",
};

/** Error answers: fixture → endpoint, the HTTP status it comes with, the class and stable code it must become. */
const ERRORS: Record<
  string,
  { endpoint: EndpointName; status: number; cls: new (...a: any[]) => CloreApiError; code: string; apiError?: string }
> = {
  "errors/create_order_currency_not_allowed.json": {
    endpoint: "create_order",
    status: 200,
    cls: FieldError,
    code: "CLORE_FIELD_ERROR",
    apiError: "currency-not-allowed",
  },
  "errors/create_order_not_enough_balance.json": {
    endpoint: "create_order",
    status: 200,
    cls: FieldError,
    code: "CLORE_FIELD_ERROR",
    apiError: "not_enough_balance",
  },
  "errors/create_order_server_already_rented_http200.json": {
    endpoint: "create_order",
    status: 200,
    cls: FieldError,
    code: "CLORE_FIELD_ERROR",
    apiError: "server-already-rented",
  },
  "errors/create_order_server_offline.json": {
    endpoint: "create_order",
    status: 200,
    cls: FieldError,
    code: "CLORE_FIELD_ERROR",
    apiError: "server-offline",
  },
  "errors/create_order_too_low_price.json": {
    endpoint: "create_order",
    status: 200,
    cls: FieldError,
    code: "CLORE_FIELD_ERROR",
    apiError: "too_low_price",
  },
  "errors/database_error_http500_INFERRED_BODY.json": {
    endpoint: "wallets",
    status: 500,
    cls: DatabaseError,
    code: "CLORE_DATABASE_ERROR",
  },
  "errors/invalid_endpoint_INFERRED.json": {
    endpoint: "wallets",
    status: 404,
    cls: InvalidEndpointError,
    code: "CLORE_INVALID_ENDPOINT",
  },
  "errors/invalid_input_INFERRED.json": {
    endpoint: "set_spot_price",
    status: 400,
    cls: InvalidInputError,
    code: "CLORE_INVALID_INPUT",
  },
  "errors/invalid_token_http401_INFERRED_BODY.json": {
    endpoint: "wallets",
    status: 401,
    cls: AuthError,
    code: "CLORE_AUTH_FAILED",
  },
  "errors/rate_limited_http429.json": {
    endpoint: "my_orders",
    status: 429,
    cls: RateLimitError,
    code: "CLORE_RATE_LIMITED",
  },
  "set_spot_price_can_lower_every_600_seconds.json": {
    endpoint: "set_spot_price",
    status: 200,
    cls: FieldError,
    code: "CLORE_FIELD_ERROR",
    apiError: "can_lower_every_600_seconds",
  },
  "set_spot_price_exceeded_max_step.json": {
    endpoint: "set_spot_price",
    status: 200,
    cls: FieldError,
    code: "CLORE_FIELD_ERROR",
    apiError: "exceeded_max_step",
  },
};

/** Example request bodies: fixture → the endpoint whose body schema must accept it. */
const REQUESTS: Record<string, { endpoint: EndpointName; schema: z.ZodType }> = {
  "requests/cancel_order.json": { endpoint: "cancel_order", schema: CancelOrderBody },
  "requests/cancel_orders.json": { endpoint: "cancel_orders", schema: CancelOrdersBody },
  "requests/create_gigaspot_orders.json": { endpoint: "create_gigaspot_orders", schema: CreateGigaspotOrdersBody },
  "requests/create_order_on_demand.json": { endpoint: "create_order", schema: CreateOrderBody },
  "requests/create_order_spot.json": { endpoint: "create_order", schema: CreateOrderBody },
  "requests/edit_gigaspot_orders.json": { endpoint: "edit_gigaspot_orders", schema: EditGigaspotOrdersBody },
  "requests/server_config.json": { endpoint: "server_config", schema: ServerConfigBody },
  "requests/set_server_settings.json": { endpoint: "set_server_settings", schema: SetServerSettingsBody },
  "requests/set_server_settings_LEGACY.json": { endpoint: "set_server_settings", schema: SetServerSettingsBody },
  "requests/set_spot_price.json": { endpoint: "set_spot_price", schema: SetSpotPriceBody },
};

/** The market snapshot lives at v1_snapshot_url on a CDN; it is not an api.clore.ai response and the SDK does not model it. */
const NOT_API_RESPONSES = ["gigaspot_snapshot.json"];

/** A valid request body for `endpoint`, so client.call gets past request validation to the decode step. */
const VALID_INPUT: Partial<Record<EndpointName, { body?: unknown; query?: Record<string, string> }>> = {
  create_order: { body: fixture("requests/create_order_on_demand.json") },
  set_spot_price: { body: fixture("requests/set_spot_price.json") },
};

function parse<E extends EndpointName>(endpoint: E, body: unknown): any {
  return ENDPOINTS[endpoint].response.parse(body);
}

describe("API fixtures", () => {
  it("maps every fixture file to exactly one endpoint, error or request (a new fixture must be added here)", () => {
    const mapped = [
      ...Object.keys(RESPONSES),
      ...Object.keys(ERRORS),
      ...Object.keys(REQUESTS),
      ...NOT_API_RESPONSES,
    ].sort();
    assert.deepEqual(listFixtures(), mapped);
  });

  describe("successful responses parse with their endpoint's response model", () => {
    for (const [file, endpoint] of Object.entries(RESPONSES)) {
      it(`${file} parses as a ${endpoint} response`, () => {
        const result = ENDPOINTS[endpoint].response.safeParse(fixture(file));
        assert.ok(result.success, `${file}: ${!result.success && result.error.message}`);
      });
    }
  });

  describe("error answers decode to their error class", () => {
    for (const [file, want] of Object.entries(ERRORS)) {
      it(`${file} (HTTP ${want.status}) on ${want.endpoint} becomes ${want.cls.name}`, async () => {
        const clock = new FakeClock();
        const transport = new FakeTransport(() => ({ status: want.status, text: fixtureText(file) }));
        const client = new CloreClient({
          apiKey: uniqueKey("fixture"),
          transport,
          clock,
          rateLimiter: new RateLimiter({ clock }),
          maxRetries: 0,
          rateLimitPatienceMs: 0,
        });
        const err = await client.call(want.endpoint, VALID_INPUT[want.endpoint] ?? {}).then(
          () => assert.fail("expected an error"),
          (e: unknown) => e,
        );
        assert.ok(err instanceof want.cls, `got ${String(err)}`);
        const e = err as CloreApiError;
        assert.equal(e.code, want.code);
        assert.equal(e.apiCode, fixture(file).code);
        assert.equal(e.httpStatus, want.status);
        assert.equal(e.endpoint, want.endpoint);
        assert.equal(e.apiError, want.apiError);
        assert.deepEqual(e.response, fixture(file));
        assert.equal(transport.requests.length, 1);
      });
    }
  });

  describe("example request bodies", () => {
    for (const [file, { endpoint, schema }] of Object.entries(REQUESTS)) {
      it(`${file} is a valid ${endpoint} body`, () => {
        assert.equal(
          (ENDPOINTS[endpoint] as { body?: z.ZodType }).body,
          schema,
          "the endpoint table uses the models/requests.ts schema",
        );
        const result = schema.safeParse(fixture(file));
        assert.ok(result.success, `${file}: ${!result.success && result.error.message}`);
      });
    }

    it("createOrder's camelCase parameters produce exactly the on-demand example body", () => {
      const params = CreateOrderParams.parse({
        serverId: 41873,
        image: "cloreai/jupyter:ubuntu24.04-v2",
        type: "on-demand",
        currency: "USD-Blockchain",
        ports: { "22": "tcp", "8888": "http" },
        env: { EXAMPLE_VAR: "value" },
        jupyterToken: "exampleJupyterTok",
        sshPassword: "ExampleSshPass123",
        sshKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExampleExampleExampleExampleExample user@host",
        command: "#!/bin/sh\necho started > /tmp/started",
        requiredPrice: 3.6,
        autosshEntrypoint: true,
        rememberPassword: false,
      });
      assert.deepEqual(createOrderBody(params), fixture("requests/create_order_on_demand.json"));
    });

    it("createOrder's spot parameters produce exactly the spot example body (spotPrice → spotprice)", () => {
      const params = CreateOrderParams.parse({
        serverId: 38811,
        image: "nvidia/cuda:12.4.1-runtime-ubuntu22.04",
        type: "spot",
        currency: "CLORE-Blockchain",
        spotPrice: 350,
        ports: { "22": "tcp", "5000": "tcp", "8080": "http" },
        sshPassword: "ExampleSshPass123",
      });
      assert.deepEqual(createOrderBody(params), fixture("requests/create_order_spot.json"));
    });

    it("setServerSettings' per-currency parameters produce exactly the current-layout example body", () => {
      const p = ServerSettingsParams.parse({
        name: "rig-alpha",
        availability: true,
        mrl: 72,
        onDemandPrices: { bitcoin: 3.85e-5, "CLORE-Blockchain": 1450, "USD-Blockchain": 3.6 },
        spotPrices: { bitcoin: 2.2e-5, "CLORE-Blockchain": 820, "USD-Blockchain": 2.05 },
        enabledCurrencies: ["bitcoin", "CLORE-Blockchain", "USD-Blockchain"],
        autoprice: { bitcoin: "usd", "CLORE-Blockchain": "usd", "USD-Blockchain": false },
        usdPricing: {
          bitcoin: { onDemand: 3.6, spot: 2.05 },
          "CLORE-Blockchain": { onDemand: 3.6, spot: 2.05 },
          "USD-Blockchain": { onDemand: 3.6, spot: 2.05 },
        },
      });
      assert.deepEqual(
        serverSettingsBody({ ...p, availability: true, mrl: 72 }),
        fixture("requests/set_server_settings.json"),
      );
    });

    it("setServerSettings' legacy parameters (onDemand, spot) produce exactly the legacy example body", () => {
      const p = ServerSettingsParams.parse({
        name: "rig-alpha",
        availability: true,
        mrl: 72,
        onDemand: 3.85e-5,
        spot: 2.2e-5,
      });
      assert.deepEqual(
        serverSettingsBody({ ...p, availability: true, mrl: 72 }),
        fixture("requests/set_server_settings_LEGACY.json"),
      );
    });
  });

  describe("unknown fields survive parsing", () => {
    it("keeps a new field on a marketplace server, its specs, and the response itself", () => {
      const body = fixture("marketplace.json");
      body.future_top = 1;
      body.servers[0].future_field = { nested: true };
      body.servers[0].specs.future_spec = "x";
      const r = parse("marketplace", body);
      assert.equal(r.future_top, 1);
      assert.deepEqual(r.servers[0].future_field, { nested: true });
      assert.equal(r.servers[0].specs.future_spec, "x");
    });

    it("keeps a new field on an order", () => {
      const body = fixture("my_orders.json");
      body.orders[1].future_field = [1, 2];
      assert.deepEqual(parse("my_orders", body).orders[1].future_field, [1, 2]);
    });

    it("keeps a new field on a wallet", () => {
      const body = fixture("wallets.json");
      body.wallets[2].future_field = "keep me";
      assert.equal(parse("wallets", body).wallets[2].future_field, "keep me");
    });

    it("keeps a new field on a hosted server and on a server config", () => {
      const servers = fixture("my_servers.json");
      servers.servers[1].future_field = 7;
      assert.equal(parse("my_servers", servers).servers[1].future_field, 7);
      const config = fixture("server_config.json");
      config.config.future_field = 8;
      assert.equal(parse("server_config", config).config.future_field, 8);
    });

    it("keeps a new field on a spot offer", () => {
      const body = fixture("spot_marketplace.json");
      body.market.offers[0].future_field = "bid-meta";
      assert.equal(parse("spot_marketplace", body).market.offers[0].future_field, "bid-meta");
    });

    it("accepts `error: null` on a success answer", () => {
      assert.equal(parse("cancel_order", { code: 0, error: null }).code, 0);
    });
  });

  describe("marketplace server convenience values", () => {
    const [free, rented] = parse("marketplace", fixture("marketplace.json")).servers;

    it("derives model, count, RAM, prices, availability and location of a single-GPU server", () => {
      assert.deepEqual(
        {
          gpuModel: free.gpuModel,
          gpuCount: free.gpuCount,
          ramGb: free.ramGb,
          priceUsdPerDay: free.priceUsdPerDay,
          priceUsdPerHour: free.priceUsdPerHour,
          spotPriceUsdPerDay: free.spotPriceUsdPerDay,
          available: free.available,
          location: free.location,
        },
        {
          gpuModel: "NVIDIA GeForce RTX 4090",
          gpuCount: 1,
          ramGb: 62.73,
          priceUsdPerDay: 3.6,
          priceUsdPerHour: 0.15,
          spotPriceUsdPerDay: 2.05,
          available: true,
          location: "FI",
        },
      );
      assert.ok(Math.abs(free.spotPriceUsdPerHour - 2.05 / 24) < 1e-12);
    });

    it("counts GPUs from gpu_array and marks a rented server unavailable", () => {
      assert.equal(rented.gpuModel, "NVIDIA GeForce RTX 3090");
      assert.equal(rented.gpuCount, 2);
      assert.equal(rented.ramGb, 251.55);
      assert.equal(rented.available, false);
      assert.equal(rented.location, "DE");
      assert.equal(rented.spotPriceUsdPerDay, 3);
      assert.equal(rented.spotPriceUsdPerHour, 0.125);
    });

    it("skips on_demand_usd = 0 (server does not take USD-Blockchain) instead of calling the server free", () => {
      assert.equal(rented.priceUsdPerDay, 5.75);
      assert.ok(Math.abs(rented.priceUsdPerHour - 5.75 / 24) < 1e-12);
    });

    it("falls back to the GPU count in specs.gpu when gpu_array is missing", () => {
      const body = fixture("marketplace.json");
      delete body.servers[1].gpu_array;
      const s = parse("marketplace", body).servers[1];
      assert.equal(s.gpuCount, 2);
      assert.equal(s.gpuModel, "NVIDIA GeForce RTX 3090");
    });

    it("has no price (not 0) when the server lists no USD prices", () => {
      const body = fixture("marketplace.json");
      delete body.servers[0].price.usd;
      const s = parse("marketplace", body).servers[0];
      assert.equal(s.priceUsdPerDay, undefined);
      assert.equal(s.priceUsdPerHour, undefined);
      assert.equal(s.spotPriceUsdPerDay, undefined);
    });

    it("treats `my_servers` as optional", () => {
      const body = fixture("marketplace.json");
      delete body.my_servers;
      assert.equal(parse("marketplace", body).servers.length, 2);
    });
  });

  describe("hosted server status", () => {
    const base = fixture("my_servers.json").servers[0];
    const table: Array<[string, Record<string, unknown>, string]> = [
      ["connected and online", { connected: true, online: true }, "Online"],
      ["connected but offline", { connected: true, online: false }, "Offline"],
      ["never connected", { connected: false, online: false }, "Disconnected"],
      ["online but not working properly", { connected: true, online: true, working_properly: false }, "Not Working"],
    ];
    for (const [what, patch, status] of table) {
      it(`is "${status}" when ${what}`, () => {
        const r = parse("my_servers", { code: 0, servers: [{ ...base, ...patch }] });
        assert.equal(r.servers[0].status, status);
      });
    }

    it("gives the fixture's servers model, RAM and status (a never-connected server has no specs)", () => {
      const [alpha, beta] = parse("my_servers", fixture("my_servers.json")).servers;
      assert.deepEqual([alpha.gpuModel, alpha.ramGb, alpha.status], ["NVIDIA GeForce RTX 4090", 62.73, "Online"]);
      assert.deepEqual([beta.gpuModel, beta.ramGb, beta.status], [undefined, undefined, "Disconnected"]);
    });
  });

  describe("order convenience values", () => {
    const [onDemand, spot] = parse("my_orders", fixture("my_orders.json")).orders;

    it("derives server id, type, status, creation time and endpoints of a running on-demand order", () => {
      assert.deepEqual(
        {
          id: onDemand.id,
          serverId: onDemand.serverId,
          type: onDemand.type,
          status: onDemand.status,
          createdAt: onDemand.createdAt,
          sshHost: onDemand.sshHost,
          sshPort: onDemand.sshPort,
          tcpPortMap: onDemand.tcpPortMap,
          httpUrl: onDemand.httpUrl,
        },
        {
          id: 612345,
          serverId: 41873,
          type: "on-demand",
          status: "running",
          createdAt: "2024-11-24T12:00:00.000Z",
          sshHost: "n4.hel.cloreai.example",
          sshPort: 10922,
          tcpPortMap: { "22": 10922 },
          httpUrl: "https://a1b2c3d4e5f6.clorecloud.example",
        },
      );
    });

    it("marks a spot order as spot and maps every tcp port", () => {
      assert.equal(spot.type, "spot");
      assert.equal(spot.serverId, 38811);
      assert.deepEqual(spot.tcpPortMap, { "22": 20115, "5000": 20116 });
      assert.equal(spot.sshPort, 20115);
      assert.equal(spot.sshHost, "n2.waw.cloreai.example");
    });

    it("reports an expired order from return_completed as expired", () => {
      const orders = parse("my_orders", fixture("my_orders_return_completed.json")).orders;
      const ended = orders.find((o: { id: number }) => o.id === 598001);
      assert.equal(ended.status, "expired");
      assert.equal(orders.filter((o: { status: string }) => o.status === "expired").length, 1);
    });

    it("reports a just-created order without endpoints as provisioning, with no SSH or HTTP address", () => {
      const [o] = parse("my_orders", fixture("my_orders_provisioning_INFERRED.json")).orders;
      assert.deepEqual(
        [o.status, o.sshHost, o.sshPort, o.httpUrl, o.tcpPortMap],
        ["provisioning", undefined, undefined, undefined, {}],
      );
    });

    it("reports a container that went down after provisioning as stopped", () => {
      const body = fixture("my_orders.json");
      Object.assign(body.orders[0], { online: false, mon_container: 0 });
      assert.equal(parse("my_orders", body).orders[0].status, "stopped");
    });

    it("reads the older SDK's shapes too: pub_cluster as a string, tcp_ports as a dict", () => {
      const body = fixture("my_orders.json");
      Object.assign(body.orders[0], { pub_cluster: "legacy.host.example", tcp_ports: { "22": 2222 } });
      const o = parse("my_orders", body).orders[0];
      assert.deepEqual([o.sshHost, o.sshPort], ["legacy.host.example", 2222]);
    });
  });

  describe("server config convenience values", () => {
    it("gives the first USD on-demand and spot price, the GPU model and availability", () => {
      const c = parse("server_config", fixture("server_config.json")).config;
      assert.deepEqual(
        {
          onDemandPrice: c.onDemandPrice,
          spotPrice: c.spotPrice,
          gpuModel: c.gpuModel,
          availability: c.availability,
          mrl: c.mrl,
          id: c.id,
        },
        {
          onDemandPrice: 3.6,
          spotPrice: 2.05,
          gpuModel: "NVIDIA GeForce RTX 4090",
          availability: true,
          mrl: 72,
          id: 41873,
        },
      );
    });

    it("has no prices when usd_pricing is absent", () => {
      const body = fixture("server_config.json");
      delete body.config.usd_pricing;
      const c = parse("server_config", body).config;
      assert.deepEqual([c.onDemandPrice, c.spotPrice], [undefined, undefined]);
    });
  });

  describe("spot market and account values", () => {
    it("exposes the official Python SDK's order_id / price names on spot offers", () => {
      const m = parse("spot_marketplace", fixture("spot_marketplace.json")).market;
      assert.deepEqual(
        m.offers.map((o: { orderId: number; price: number; my: boolean }) => [o.orderId, o.price, o.my]),
        [
          [612399, 2.3, false],
          [612401, 800, true],
        ],
      );
      assert.equal(m.currency_rates_in_usd["USD-Blockchain"], 1);
    });

    it("keeps GigaSPOT result lists and defaults missing ones to []", () => {
      const r = parse("create_gigaspot_orders", { code: 0, status: "ok", failed_to_rent_servers: [35083] });
      assert.deepEqual([r.failed_to_oc_servers, r.failed_to_rent_servers, r.too_low_bids_servers], [[], [35083], []]);
    });
  });
});
