import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import type { Emulator } from "../../provider/emulator";
import { configure } from "../../provider/resources/dynamic";
import { read, remove } from "../../provider/resources/order/controller";
import { type CloreClient, type CreateOrderParams, isCloreError } from "../../provider/sdk";
import { sampleOrder } from "../helpers/emulator";
import { CLORE_ONLY_SERVER, RENTED_BY_OTHERS, accountFor, requestsTo, sdkClient, startFastEmulator } from "./helpers";

/**
 * create_order under every failure the API can throw at it, through the SDK alone (the
 * engine adds nothing here; the e2e specs cover what Pulumi records). The client runs on a
 * fake clock, so backoffs and the 60 s search for a new order take no real time; the
 * emulator's own rate limits are off because that clock does not pace real requests.
 *
 * Each test ends with the same invariant as the e2e specs: every order the emulator created
 * is one the caller got back (would be in state) or has been cancelled.
 */
const ORDER: CreateOrderParams = sampleOrder(60101);

async function attempt(client: CloreClient, params: CreateOrderParams = ORDER) {
  try {
    return { order: await client.createOrder(params) };
  } catch (e) {
    assert.ok(isCloreError(e), `not a typed error: ${(e as Error)?.stack ?? e}`);
    return { error: e };
  }
}

describe("create_order faults (SDK)", function () {
  this.timeout(60_000);
  let emu: Emulator;
  let client: CloreClient;

  before(async () => {
    emu = await startFastEmulator({ rateLimit: false, apiKey: `reliability-${randomBytes(6).toString("hex")}` });
    client = sdkClient(emu, { fakeClock: true });
  });
  beforeEach(() => emu.reset());
  after(async () => {
    await client?.close();
    await emu?.close();
  });

  const LOST_ANSWERS = [
    { kind: "create-then-error", what: "create_order answers code 1 / HTTP 500 after renting" },
    { kind: "create-then-drop", what: "the create_order answer is lost" },
  ] as const;
  for (const { kind, what } of LOST_ANSWERS) {
    it(`returns the order when ${what} (${kind})`, async () => {
      emu.faults.inject({ endpoint: "create_order", kind });
      const { order, error } = await attempt(client);
      assert.equal(error, undefined);
      assert.deepEqual(
        emu.activeOrders().map((o) => o.id),
        [order!.id],
      );
      assert.equal(requestsTo(emu, "create_order").length, 1, "a create whose outcome was unknown was sent again");
      accountFor(emu.allOrders(), [String(order!.id)]);
    });
  }

  it("fails clearly, without a lookup or a second try, when someone else took the server", async () => {
    emu.faults.inject({ endpoint: "create_order", kind: "field-error", error: "server-already-rented" });
    const { error } = await attempt(client);
    assert.equal(error!.code, "CLORE_FIELD_ERROR");
    assert.match(error!.message, /server-already-rented.*The server is taken/);
    // A real one: the emulator's seed data lists 52210 as rented by another account.
    const real = await attempt(client, { ...ORDER, serverId: RENTED_BY_OTHERS, currency: "CLORE-Blockchain" });
    assert.match(real.error!.message, /server-already-rented/);
    assert.equal(requestsTo(emu, "create_order").length, 2);
    assert.equal(requestsTo(emu, "my_orders").length, 0, "a clear refusal needs no search for an order");
    assert.deepEqual(emu.allOrders(), []);
  });

  it("resends create_order after 429s (not processed) until it goes through, and gives up with a typed error only when 429s outlast the patience", async () => {
    emu.faults.inject({ endpoint: "create_order", kind: "rate-limit", times: 6 });
    const { order } = await attempt(client);
    assert.ok(order, "six 429s in a row (more than maxRetries) still rent the order");
    assert.equal(requestsTo(emu, "create_order").length, 7);
    assert.equal(emu.allOrders().length, 1);
    emu.reset();
    emu.faults.inject({ endpoint: "create_order", kind: "rate-limit", times: 1000 });
    // Its own fake clock: waiting out the patience moves it minutes ahead of the emulator's.
    const { error } = await attempt(sdkClient(emu, { fakeClock: true }));
    emu.faults.clear();
    assert.equal(error!.code, "CLORE_RATE_LIMITED");
    assert.match(error!.message, /after \d+ retries over 1\d\d s/);
    assert.deepEqual(emu.allOrders(), [], "a 429 rented nothing");
  });

  it("finds the order when my_orders fails twice right after the create", async () => {
    emu.faults.inject({ endpoint: "my_orders", kind: "db-error", times: 2 });
    const { order, error } = await attempt(client);
    assert.equal(error, undefined);
    assert.deepEqual(
      emu.activeOrders().map((o) => o.id),
      [order!.id],
    );
    assert.equal(requestsTo(emu, "my_orders").filter((r) => r.apiCode === 1).length, 2);
  });

  it("finds the order when my_orders answers an HTML error page (not-json, HTTP 502) during the search", async () => {
    emu.faults.inject({ endpoint: "my_orders", kind: "not-json" });
    const { order, error } = await attempt(client);
    assert.equal(error, undefined);
    assert.equal(order!.id, emu.activeOrders()[0]!.id);
  });

  // BUG (provider/sdk/client.ts createOrder): after a create_order that succeeded, an error
  // from the search (findNewOrder → myOrders) escapes as-is instead of becoming
  // CLORE_ORDER_OUTCOME_UNKNOWN, so the provider keeps no `pending:` handle and the order
  // bills outside any stack. Both tests below fail until that is fixed.
  it("reports 'outcome unknown' (never a bare read error) when my_orders answers truncated JSON after a successful create", async () => {
    emu.faults.inject({ endpoint: "my_orders", kind: "malformed", times: "always" });
    const { order, error } = await attempt(client);
    emu.faults.clear();
    if (order) return accountFor(emu.allOrders(), [String(order.id)]);
    assert.equal(error!.code, "CLORE_ORDER_OUTCOME_UNKNOWN", `got ${error!.code}: ${error!.message}`);
    assert.match(error!.message, /may exist/);
  });

  it("reports 'outcome unknown' when my_orders fails longer than its retries after a successful create", async () => {
    emu.faults.inject({ endpoint: "my_orders", kind: "db-error", times: 4 });
    const { order, error } = await attempt(client);
    if (order) return accountFor(emu.allOrders(), [String(order.id)]);
    assert.equal(error!.code, "CLORE_ORDER_OUTCOME_UNKNOWN", `got ${error!.code}: ${error!.message}`);
  });

  it("reports 'outcome unknown', saying the order may exist, when create_order's answer is unreadable and no order shows up", async () => {
    // `malformed` answers before the handler runs: nothing was rented, but the client cannot know.
    emu.faults.inject({ endpoint: "create_order", kind: "malformed" });
    const { error } = await attempt(client);
    assert.equal(error!.code, "CLORE_ORDER_OUTCOME_UNKNOWN");
    assert.match(error!.message, /create_order on server 60101: .*could not read.*The order may exist and bill you/);
    assert.equal(requestsTo(emu, "create_order").length, 1);
    assert.ok(requestsTo(emu, "my_orders").length >= 2, "the client must look before giving up");
    assert.deepEqual(emu.allOrders(), []);
  });

  it("reports 'outcome unknown' when the API accepted the order but my_orders does not list it within 60 s", async () => {
    emu.options.orderVisibleDelayMs = 10 * 3_600_000; // ten virtual hours: never within the search
    try {
      const { error } = await attempt(client);
      assert.equal(error!.code, "CLORE_ORDER_OUTCOME_UNKNOWN");
      assert.match(error!.message, /accepted the order but it did not appear in my_orders within 60 s.*may exist/);
      assert.equal(emu.allOrders().length, 1, "the emulator did rent the server");
    } finally {
      emu.options.orderVisibleDelayMs = 0;
    }
  });

  it("names not_enough_balance and rents nothing when the wallet is empty", async () => {
    emu.state.setWalletBalance("USD-Blockchain", 0.01);
    const { error } = await attempt(client);
    assert.equal(error!.code, "CLORE_FIELD_ERROR");
    assert.match(error!.message, /not_enough_balance.*balance is too low/);
    assert.equal(requestsTo(emu, "my_orders").length, 0);
    assert.deepEqual(emu.allOrders(), []);
  });

  it("names currency-not-allowed and rents nothing when the server does not take the currency", async () => {
    const { error } = await attempt(client, { ...ORDER, serverId: CLORE_ONLY_SERVER });
    assert.equal(error!.code, "CLORE_FIELD_ERROR");
    assert.match(error!.message, /currency-not-allowed.*does not accept that currency/);
    assert.deepEqual(emu.allOrders(), []);
  });

  it("treats a code-1 low balance (as one client saw it) as 'outcome unknown' after looking, and rents nothing", async () => {
    emu.options.notEnoughBalanceCode = 1;
    try {
      emu.state.setWalletBalance("USD-Blockchain", 0.01);
      const { error } = await attempt(client);
      assert.equal(error!.code, "CLORE_ORDER_OUTCOME_UNKNOWN");
      assert.match(error!.message, /database error.*low balance/);
      assert.deepEqual(emu.allOrders(), []);
    } finally {
      emu.options.notEnoughBalanceCode = 6;
    }
  });
});

describe("pending: handles (provider read / delete)", function () {
  this.timeout(60_000);
  let emu: Emulator;
  let client: CloreClient;
  const saved = { ...process.env };

  before(async () => {
    emu = await startFastEmulator({ apiKey: `reliability-${randomBytes(6).toString("hex")}` });
    client = sdkClient(emu);
    // The provider's own client (runtime.ts) paces itself from the environment.
    Object.assign(process.env, {
      CLORE_MIN_INTERVAL_MS: "100",
      CLORE_CREATE_INTERVAL_MS: "400",
      CLORE_RATE_LIMIT_SHARED: "0",
    });
    configure({ get: (k: string) => ({ "clore:apiKey": emu.apiKey, "clore:baseUrl": emu.url })[k] });
  });
  after(async () => {
    configure(undefined);
    for (const k of ["CLORE_MIN_INTERVAL_MS", "CLORE_CREATE_INTERVAL_MS", "CLORE_RATE_LIMIT_SHARED"]) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    await client?.close();
    await emu?.close();
  });

  const handleFor = (serverId: number) => `pending:${serverId}:${Math.floor(Date.now() / 1000) - 120}`;

  it("refresh resolves a pending handle to the order the create made", async () => {
    const order = await client.createOrder(ORDER);
    const r = await read(handleFor(ORDER.serverId), {
      serverId: ORDER.serverId,
      image: ORDER.image,
      currency: ORDER.currency,
      status: "unknown",
    });
    assert.equal(r.id, String(order.id));
    assert.equal(r.props!.orderId, order.id);
    await client.cancelOrder(order.id);
  });

  it("refresh drops a pending handle when no order was made", async () => {
    assert.deepEqual(await read(handleFor(60103), { serverId: 60103 }), {});
  });

  it("destroy cancels the order behind a pending handle", async () => {
    emu.reset();
    const order = await client.createOrder({ ...ORDER, serverId: 60103 });
    await remove(handleFor(60103), {});
    assert.equal(emu.allOrders().find((o) => o.id === order.id)!.state, "cancelled");
    accountFor(emu.allOrders(), []);
  });
});
