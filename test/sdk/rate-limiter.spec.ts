import { strict as assert } from "node:assert";
import {
  CloreClient,
  DEFAULT_LIMITS,
  FakeClock,
  NetworkError,
  OrderOutcomeUnknownError,
  RateLimitError,
  RateLimiter,
  TimeoutError,
  keyFingerprint,
  sharedRateLimiter,
  type CloreClientOptions,
  type CreateOrderParams,
} from "../../provider/sdk";
import { halfJitter } from "../../provider/sdk/pipeline/retry";
import { FakeTransport, byEndpoint, uniqueKey, type FakeHandler, type FakeReply } from "../helpers/fake-transport";
import { fixture } from "../helpers/fixtures";
import { sampleOrder } from "../helpers/emulator";

const OK_WALLETS: FakeReply = { json: fixture("wallets.json") };
const RATE_LIMITED: FakeReply = { status: 429, json: { code: 5 } };
const ACK: FakeReply = { json: { code: 0 } };

/** The API's own limits; the SDK's defaults add a margin on top (see DEFAULT_LIMITS). */
const API_LIMITS = { minIntervalMs: 1000, createIntervalMs: 5000 };

/** A client on a fake clock with its own limiter at the API's limits; `sentAt` says when each request went out. */
function setup(handler: FakeHandler, options: CloreClientOptions = {}) {
  const clock = new FakeClock();
  const transport = new FakeTransport(handler, clock);
  const rateLimiter = new RateLimiter({ clock, limits: API_LIMITS });
  // No jitter: the waits are exact (the default takes half to all of each, at random).
  const client = new CloreClient({
    apiKey: uniqueKey("limiter"),
    clock,
    rateLimiter,
    transport,
    jitter: (ms) => ms,
    ...options,
  });
  const t0 = clock.now();
  /** Send times relative to the start, in ms. */
  const offsets = () => transport.sentAt.map((t) => t - t0);
  return { clock, transport, rateLimiter, client, t0, offsets };
}

function gaps(times: number[]): number[] {
  return times.slice(1).map((t, i) => t - times[i]);
}

/** An active order as my_orders lists it (fixture order with the given id, server and creation time). */
function order(id: number, serverId: number, ct: number, extra: Record<string, unknown> = {}) {
  return { ...fixture("my_orders.json").orders[0], id, si: serverId, ct, ...extra };
}

const CREATE: CreateOrderParams = sampleOrder(41873, { sshPassword: "pw123456" });

describe("rate limiter", () => {
  describe("spacing", () => {
    it("spaces ten reads at least nine seconds apart, one per second", async () => {
      const { client, offsets } = setup(() => OK_WALLETS);
      for (let i = 0; i < 10; i++) await client.wallets();
      assert.deepEqual(offsets(), [0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000]);
    });

    it("spaces ten concurrent reads the same way", async () => {
      const { client, offsets } = setup(() => OK_WALLETS);
      await Promise.all(Array.from({ length: 10 }, () => client.wallets()));
      assert.equal(offsets().length, 10);
      assert.ok(
        gaps(offsets()).every((g) => g >= 1000),
        `gaps ${gaps(offsets())}`,
      );
      assert.ok(offsets()[9] >= 9000);
    });

    it("does not wait when the last request was long enough ago", async () => {
      const { client, clock, offsets } = setup(() => OK_WALLETS);
      await client.wallets();
      clock.advance(5000);
      await client.wallets();
      assert.deepEqual(offsets(), [0, 5000]);
    });

    it("spaces two create_order calls at least five seconds apart", async () => {
      const body = fixture("requests/create_order_on_demand.json");
      const { client, offsets, transport } = setup(() => ACK);
      await client.call("create_order", { body });
      await client.call("create_order", { body });
      assert.deepEqual(transport.endpoints, ["create_order", "create_order"]);
      assert.deepEqual(offsets(), [0, 5000]);
    });

    it("makes a create wait for the general one-per-second slot, and a read wait one second after a create", async () => {
      const body = fixture("requests/create_order_on_demand.json");
      const { client, offsets, transport } = setup(byEndpoint({ wallets: OK_WALLETS, create_order: ACK }));
      await client.wallets();
      await client.call("create_order", { body });
      await client.wallets();
      await client.call("create_order", { body });
      assert.deepEqual(transport.endpoints, ["wallets", "create_order", "wallets", "create_order"]);
      assert.deepEqual(offsets(), [0, 1000, 2000, 6000]);
    });

    it("honours custom limits", async () => {
      const clock = new FakeClock();
      const transport = new FakeTransport(() => OK_WALLETS, clock);
      const rateLimiter = new RateLimiter({ clock, limits: { minIntervalMs: 2500 } });
      assert.ok(
        DEFAULT_LIMITS.minIntervalMs >= 1000 && DEFAULT_LIMITS.createIntervalMs >= 5000,
        "defaults below the API's limits",
      );
      const client = new CloreClient({ apiKey: uniqueKey(), clock, rateLimiter, transport });
      await client.wallets();
      await client.wallets();
      assert.equal(transport.sentAt[1] - transport.sentAt[0], 2500);
      assert.deepEqual(rateLimiter.limits, { minIntervalMs: 2500, createIntervalMs: DEFAULT_LIMITS.createIntervalMs });
    });

    it("keeps arrival order for concurrent calls to different endpoints", async () => {
      const body = fixture("requests/create_order_on_demand.json");
      const { client, transport, offsets } = setup(
        byEndpoint({
          wallets: OK_WALLETS,
          my_servers: { json: fixture("my_servers.json") },
          marketplace: { json: fixture("marketplace.json") },
          renter_fees: { json: fixture("renter_fees.json") },
          create_order: ACK,
          poh_balance: { json: fixture("poh_balance.json") },
        }),
      );
      await Promise.all([
        client.wallets(),
        client.myServers(),
        client.call("create_order", { body }),
        client.marketplace(),
        client.renterFees(),
        client.pohBalance(),
      ]);
      assert.deepEqual(transport.endpoints, [
        "wallets",
        "my_servers",
        "create_order",
        "marketplace",
        "renter_fees",
        "poh_balance",
      ]);
      assert.deepEqual(offsets(), [0, 1000, 2000, 3000, 4000, 5000]);
    });

    it("never sleeps for real: a minute of limiter time passes in milliseconds", async () => {
      const started = Date.now();
      const { client, clock, t0 } = setup(() => OK_WALLETS);
      await Promise.all(Array.from({ length: 61 }, () => client.wallets()));
      assert.equal(clock.now() - t0, 60_000);
      assert.ok(Date.now() - started < 1000);
    });
  });

  describe("backoff on code 5", () => {
    it("waits 1, 2 and 4 s between retries, then throws RateLimitError after maxRetries + 1 requests", async () => {
      const { client, clock, transport, offsets } = setup(() => RATE_LIMITED, {
        maxRetries: 3,
        rateLimitPatienceMs: 0,
      });
      const e = await client.myServers().then(
        () => assert.fail("expected RateLimitError"),
        (err: unknown) => err,
      );
      assert.ok(e instanceof RateLimitError);
      assert.equal(e.code, "CLORE_RATE_LIMITED");
      assert.equal(e.httpStatus, 429);
      assert.equal(e.endpoint, "my_servers");
      assert.equal(transport.requests.length, 4);
      const backoffs = clock.sleeps.filter((ms) => ms >= 1000);
      assert.deepEqual(backoffs, [1000, 2000, 4000]);
      // The first retry also waits out the 2.5 % wider spacing that a 429 starts.
      assert.deepEqual(gaps(offsets()), [1025, 2000, 4000]);
    });

    it("doubles up to 8 s a wait for as many retries as configured", async () => {
      const { client, transport, offsets } = setup(() => RATE_LIMITED, { maxRetries: 5, rateLimitPatienceMs: 0 });
      await assert.rejects(client.wallets(), { code: "CLORE_RATE_LIMITED" });
      assert.equal(transport.requests.length, 6);
      assert.deepEqual(gaps(offsets()), [1025, 2000, 4000, 8000, 8000]);
    });

    it("does not retry at all with maxRetries 0", async () => {
      const { client, transport, clock } = setup(() => RATE_LIMITED, { maxRetries: 0, rateLimitPatienceMs: 0 });
      await assert.rejects(client.wallets(), RateLimitError);
      assert.equal(transport.requests.length, 1);
      assert.deepEqual(clock.sleeps, []);
    });

    it("by default keeps waiting out 429s past maxRetries (capped at 8 s a wait) until the call goes through", async () => {
      const storm = Array.from({ length: 9 }, () => RATE_LIMITED);
      const { client, transport, offsets } = setup(byEndpoint({ wallets: [...storm, OK_WALLETS] }), { maxRetries: 3 });
      assert.equal((await client.wallets()).length, 3);
      assert.equal(transport.requests.length, 10);
      assert.deepEqual(gaps(offsets()).slice(1), [2000, 4000, 8000, 8000, 8000, 8000, 8000, 8000]);
    });

    it("gives up when 429s outlast the patience, saying for how long and what to do", async () => {
      const { client, transport, clock, t0 } = setup(() => RATE_LIMITED, { rateLimitPatienceMs: 60_000 });
      const e = await client.wallets().then(
        () => assert.fail("expected RateLimitError"),
        (err: unknown) => err as Error,
      );
      assert.ok(e instanceof RateLimitError);
      assert.match(e.message, /after \d+ retries over 5\d s\. .*CLORE_RATE_LIMIT_STORE/);
      assert.ok(clock.now() - t0 <= 60_000, `waited ${clock.now() - t0} ms`);
      assert.ok(transport.requests.length > 4);
    });

    it("spreads each wait after a 429 between half and all of the backoff (machines that collided do not retry together)", async () => {
      const waits = Array.from({ length: 200 }, () => halfJitter(4000));
      assert.ok(waits.every((w) => w >= 2000 && w <= 4000));
      assert.ok(new Set(waits.map((w) => Math.round(w / 100))).size > 10, "the waits are spread");
    });

    it("returns the value when a 429 is followed by success", async () => {
      const { client, transport, offsets } = setup(byEndpoint({ wallets: [RATE_LIMITED, OK_WALLETS] }));
      const wallets = await client.wallets();
      assert.deepEqual(
        wallets.map((w) => w.name),
        ["bitcoin", "CLORE-Blockchain", "USD-Blockchain"],
      );
      assert.equal(transport.requests.length, 2);
      assert.deepEqual(offsets(), [0, 1025]);
    });

    it("holds every caller of the limiter for the backoff, not only the one that got the 429", async () => {
      const clock = new FakeClock();
      const limiter = new RateLimiter({ clock, limits: { minIntervalMs: 100 } });
      const t0 = clock.now();
      await limiter.acquire("general");
      await limiter.backOff(4000);
      await limiter.acquire("general");
      assert.equal(clock.now() - t0, 4000);
    });

    it("resends a create_order that got a 429: the API did not process it", async () => {
      const { client, clock, transport } = setup(
        byEndpoint({
          create_order: [RATE_LIMITED, ACK],
          my_orders: () => ({
            json: { code: 0, orders: [order(700001, CREATE.serverId, Math.floor(clock.now() / 1000))] },
          }),
        }),
      );
      const o = await client.createOrder(CREATE);
      assert.equal(o.id, 700001);
      assert.deepEqual(transport.endpoints, ["create_order", "create_order", "my_orders"]);
    });
  });

  describe("one limiter per API key in the process", () => {
    it("gives two clients with the same key the same limiter, whatever their options", () => {
      const key = uniqueKey("shared");
      // A fake clock keeps the shared limiter in memory (a real one would also use a file ledger).
      const clock = new FakeClock();
      const a = new CloreClient({ apiKey: key, clock, transport: new FakeTransport() });
      const b = new CloreClient({
        apiKey: key,
        clock: new FakeClock(),
        transport: new FakeTransport(),
        rateLimits: { minIntervalMs: 1 },
      });
      assert.equal(a.rateLimiter, b.rateLimiter);
      assert.equal(sharedRateLimiter(key), a.rateLimiter);
      assert.notEqual(
        new CloreClient({ apiKey: uniqueKey("other"), clock, transport: new FakeTransport() }).rateLimiter,
        a.rateLimiter,
      );
    });

    it("spaces requests of two clients with the same key", async () => {
      const key = uniqueKey("same");
      const clock = new FakeClock();
      const transport = new FakeTransport(() => OK_WALLETS, clock);
      const a = new CloreClient({ apiKey: key, clock, transport });
      const b = new CloreClient({ apiKey: key, clock, transport });
      await Promise.all([a.wallets(), b.wallets(), a.wallets(), b.wallets()]);
      assert.deepEqual(gaps(transport.sentAt), Array(3).fill(DEFAULT_LIMITS.minIntervalMs));
    });

    it("lets clients with different keys run independently", async () => {
      const clock = new FakeClock();
      const transport = new FakeTransport(() => OK_WALLETS, clock);
      const a = new CloreClient({ apiKey: uniqueKey("a"), clock, transport });
      const b = new CloreClient({ apiKey: uniqueKey("b"), clock, transport });
      await Promise.all([a.wallets(), b.wallets()]);
      assert.deepEqual(gaps(transport.sentAt), [0]);
    });

    it("registers limiters under a fingerprint, never the key itself", () => {
      const key = uniqueKey("fingerprint");
      const fp = keyFingerprint(key);
      assert.match(fp, /^[0-9a-f]{16}$/);
      assert.ok(!fp.includes(key));
      assert.equal(keyFingerprint(undefined), "anonymous");
    });
  });

  describe("retries of failed requests", () => {
    it("retries a read after a network error", async () => {
      const { client, transport } = setup(
        byEndpoint({ wallets: [{ throws: new NetworkError("wallets", "ECONNRESET") }, OK_WALLETS] }),
      );
      assert.equal((await client.wallets()).length, 3);
      assert.equal(transport.requests.length, 2);
    });

    it("does not resend set_spot_price after a network error (not idempotent)", async () => {
      const { client, transport } = setup(() => ({ throws: new NetworkError("set_spot_price", "ECONNRESET") }));
      await assert.rejects(client.setSpotPrice(612402, 380), NetworkError);
      assert.equal(transport.requests.length, 1);
    });
  });

  describe("concurrent myOrders calls", () => {
    it("share one request while waiting for the limiter", async () => {
      const { client, transport } = setup(
        byEndpoint({ wallets: OK_WALLETS, my_orders: { json: fixture("my_orders.json") } }),
      );
      const [, a, b, c] = await Promise.all([
        client.wallets(),
        client.myOrders(),
        client.myOrders(),
        client.myOrders(),
      ]);
      assert.deepEqual(transport.endpoints, ["wallets", "my_orders"]);
      assert.equal(a, b);
      assert.equal(b, c);
    });

    it("send a fresh request for a caller that arrives after the request went out", async () => {
      const { client, transport } = setup(() => ({ json: fixture("my_orders.json") }));
      await client.myOrders();
      await client.myOrders();
      await Promise.all([client.myOrders({ includeCompleted: true }), client.myOrders()]);
      assert.deepEqual(
        transport.requests.map((r) => r.url.replace(/^.*\/v1/, "")),
        ["/my_orders", "/my_orders", "/my_orders?return_completed=true", "/my_orders"],
      );
    });
  });

  describe("create_order is never resent blindly", () => {
    const uncertain: Array<[string, FakeReply]> = [
      ["a timeout", { throws: new TimeoutError("create_order", 30_000) }],
      ["a network error", { throws: new NetworkError("create_order", "ECONNRESET") }],
      ["code 1 with HTTP 500", { status: 500, json: { code: 1 } }],
      ["an unreadable 502", { status: 502, text: "<html>Bad Gateway</html>" }],
    ];

    for (const [what, failure] of uncertain) {
      it(`after ${what}, finds the new order in my_orders instead of retrying`, async () => {
        let clockRef: FakeClock | undefined;
        const { client, transport, clock } = setup(
          byEndpoint({
            create_order: failure,
            my_orders: [
              { json: { code: 0, orders: [] } },
              () => ({
                json: {
                  code: 0,
                  orders: [
                    order(690000, CREATE.serverId, 1_600_000_000), // same server, long ago: not ours
                    order(700002, 99999, Math.floor(clockRef!.now() / 1000)), // another server
                    order(700001, CREATE.serverId, Math.floor(clockRef!.now() / 1000)),
                  ],
                },
              }),
            ],
          }),
        );
        clockRef = clock;
        const o = await client.createOrder(CREATE);
        assert.equal(o.id, 700001);
        assert.equal(o.serverId, CREATE.serverId);
        assert.deepEqual(transport.endpoints, ["create_order", "my_orders", "my_orders"]);
        assert.ok(clock.sleeps.includes(1000), "polls again after a pause");
      });
    }

    it("throws OrderOutcomeUnknownError saying the order may exist when nothing shows up", async () => {
      const timeout = new TimeoutError("create_order", 30_000);
      const { client, transport } = setup(
        byEndpoint({ create_order: { throws: timeout }, my_orders: { json: { code: 0, orders: [] } } }),
      );
      const e = await client.createOrder(CREATE).then(
        () => assert.fail("expected OrderOutcomeUnknownError"),
        (err: unknown) => err,
      );
      assert.ok(e instanceof OrderOutcomeUnknownError);
      assert.equal(e.code, "CLORE_ORDER_OUTCOME_UNKNOWN");
      assert.equal(e.serverId, CREATE.serverId);
      assert.equal(e.cause, timeout);
      assert.match(
        e.message,
        /^create_order on server 41873: the request failed \(create_order: no answer within 30000 ms/,
      );
      assert.ok(
        e.message.includes("The order may exist and bill you: in a Pulumi stack run `pulumi refresh`"),
        e.message,
      );
      assert.equal(transport.endpoints.filter((x) => x === "create_order").length, 1, "create_order was sent once");
      assert.ok(transport.endpoints.filter((x) => x === "my_orders").length >= 2, "my_orders was polled");
    });

    it("throws OrderOutcomeUnknownError when the API accepted the order but it never appears", async () => {
      const { client, transport } = setup(
        byEndpoint({ create_order: ACK, my_orders: { json: { code: 0, orders: [] } } }),
      );
      await assert.rejects(client.createOrder(CREATE, { findTimeoutMs: 10_000 }), (e: any) => {
        assert.equal(e.code, "CLORE_ORDER_OUTCOME_UNKNOWN");
        assert.match(
          e.message,
          /accepted the order but it did not appear in my_orders within 10 s\. The order may exist/,
        );
        return true;
      });
      assert.equal(transport.endpoints.filter((x) => x === "create_order").length, 1);
    });

    it("does not look in my_orders after a clear refusal (code 6)", async () => {
      const { client, transport } = setup(
        byEndpoint({ create_order: { json: fixture("errors/create_order_server_already_rented_http200.json") } }),
      );
      await assert.rejects(client.createOrder(CREATE), {
        code: "CLORE_FIELD_ERROR",
        apiError: "server-already-rented",
      });
      assert.deepEqual(transport.endpoints, ["create_order"]);
    });

    it("never returns an excluded or expired order as the new one", async () => {
      const { client, clock } = setup(
        byEndpoint({
          create_order: ACK,
          my_orders: () => {
            const now = Math.floor(clock.now() / 1000);
            return {
              json: {
                code: 0,
                orders: [
                  order(1, CREATE.serverId, now),
                  order(2, CREATE.serverId, now, { expired: true }),
                  order(3, CREATE.serverId, now - 1),
                ],
              },
            };
          },
        }),
      );
      const o = await client.createOrder(CREATE, { excludeOrderIds: [1] });
      assert.equal(o.id, 3);
    });

    it("picks the newest matching order when several are on the server", async () => {
      const { client, clock } = setup(
        byEndpoint({
          create_order: ACK,
          my_orders: () => {
            const now = Math.floor(clock.now() / 1000);
            return {
              json: { code: 0, orders: [order(10, CREATE.serverId, now - 30), order(11, CREATE.serverId, now)] },
            };
          },
        }),
      );
      assert.equal((await client.createOrder(CREATE)).id, 11);
    });
  });
});
