import assert from "node:assert/strict";
import {
  AuthError,
  CloreClient,
  FakeClock,
  type OrderFate,
  RateLimiter,
  orderFate,
  orderFates,
  pendingOrderFate,
} from "../../provider/sdk";
import { FakeTransport, type FakeReply, byEndpoint, uniqueKey } from "../helpers/fake-transport";
import { fixture } from "../helpers/fixtures";

type Orders = { code: number; orders: Array<{ id: number; si: number; ct: number; expired?: boolean }> };
/** Orders 612345 (server 41873) and 612402 (server 38811), both active. */
const ACTIVE = fixture("my_orders.json") as Orders;
/** The same two, and 598001 (server 41873), ended. */
const COMPLETED = fixture("my_orders_return_completed.json") as Orders;
const EMPTY = { code: 0, orders: [] };
const [A, B] = ACTIVE.orders.map((o) => o.id) as [number, number];
const ENDED = 598001;

function setup(active: FakeReply, completed: FakeReply, marketplace?: FakeReply) {
  const clock = new FakeClock();
  const transport = new FakeTransport(
    byEndpoint({
      my_orders: (req) => (req.url.includes("return_completed=true") ? completed : active),
      ...(marketplace ? { marketplace } : {}),
    }),
    clock,
  );
  const client = new CloreClient({
    apiKey: uniqueKey("fate"),
    clock,
    rateLimiter: new RateLimiter({ clock }),
    maxRetries: 0,
    transport,
  });
  const calls = () =>
    transport.requests.map((r) => `${r.endpoint}${r.url.includes("return_completed") ? "+completed" : ""}`);
  return { client, calls };
}
const state = (f: OrderFate | undefined) => f?.state;

describe("order fate: an order is gone only when the API says it ended", () => {
  it("is live when my_orders lists it, with one call", async () => {
    const { client, calls } = setup({ json: ACTIVE }, { throws: new Error("not asked") });
    const f = await orderFate(client, A);
    assert.equal(f.state, "live");
    assert.deepEqual(calls(), ["my_orders"]);
  });

  const cases: Array<[string, FakeReply, FakeReply, number, OrderFate["state"]]> = [
    [
      "cancelled outside Pulumi: gone from the list, listed as ended",
      { json: ACTIVE },
      { json: COMPLETED },
      ENDED,
      "ended",
    ],
    ["an empty list, and the completed list shows it ended", { json: EMPTY }, { json: COMPLETED }, ENDED, "ended"],
    [
      "an empty list, and the completed list shows it live (the first answer was partial)",
      { json: EMPTY },
      { json: COMPLETED },
      A,
      "live",
    ],
    ["an empty list, and an empty completed list", { json: EMPTY }, { json: EMPTY }, A, "unknown"],
    ["a list that lacks it, and a completed list that lacks it", { json: ACTIVE }, { json: ACTIVE }, 999, "unknown"],
    [
      "an answer that fails the schema, then one that lists it",
      { text: '{"code":0,"orders":[' },
      { json: COMPLETED },
      A,
      "live",
    ],
    ["two answers that fail", { status: 500, json: { code: 1 } }, { status: 502, text: "<html>" }, A, "unknown"],
  ];
  for (const [label, active, completed, id, expected] of cases) {
    it(`${label} → ${expected}`, async () => {
      const { client } = setup(active, completed);
      assert.equal(state(await orderFate(client, id)), expected);
    });
  }

  it("says in the unknown reason which answers lacked the order or could not be read", async () => {
    const { client } = setup({ json: EMPTY }, { status: 500, json: { code: 1 } });
    const f = await orderFate(client, A);
    assert.equal(f.state, "unknown");
    assert.match(
      f.state === "unknown" ? f.reason : "",
      /not listed by my_orders, and my_orders\?return_completed=true could not be read \(.*code 1/,
    );
  });

  it("re-reads once for every order an answer lacks: a refresh of many costs two calls", async () => {
    const { client, calls } = setup({ json: EMPTY }, { json: COMPLETED });
    const fates = await Promise.all([A, B, ENDED, 999].map((id) => orderFate(client, id, { maxAgeMs: 2000 })));
    assert.deepEqual(fates.map(state), ["live", "live", "ended", "unknown"]);
    assert.deepEqual(calls(), ["my_orders", "my_orders+completed"]);
    const many = await orderFates(client, [A, 999], { maxAgeMs: 2000 });
    assert.deepEqual([...many.values()].map(state), ["live", "unknown"]);
  });

  it("throws a refused key instead of calling it unknown", async () => {
    const { client } = setup({ status: 401, json: { code: 3 } }, { status: 401, json: { code: 3 } });
    await assert.rejects(orderFate(client, A), AuthError);
  });
});

describe("order fate of a create whose id was never learned (pending handle, interrupted create)", () => {
  const server = (id: number, rented: boolean) => ({
    ...(fixture("marketplace.json") as { servers: object[] }).servers[0]!,
    id,
    rented,
  });
  const ct = ACTIVE.orders[0]!.ct;

  it("is the newest active order on its server created since the request", async () => {
    const { client } = setup({ json: ACTIVE }, { throws: new Error("not asked") });
    const f = await pendingOrderFate(client, { serverId: 41873, since: ct - 10 });
    assert.equal(f.state === "live" && f.order.id, A);
  });

  it("has ended when the only order made since is listed as ended", async () => {
    const ended = { code: 0, orders: [{ ...COMPLETED.orders[2]!, ct: ct + 100 }] };
    const { client } = setup({ json: EMPTY }, { json: ended });
    assert.equal(state(await pendingOrderFate(client, { serverId: 41873, since: ct + 50 })), "ended");
  });

  it("made nothing when no answer lists an order and the marketplace lists the server free", async () => {
    const { client, calls } = setup(
      { json: EMPTY },
      { json: EMPTY },
      { json: { code: 0, servers: [server(5, false)] } },
    );
    const f = await pendingOrderFate(client, { serverId: 5, since: ct });
    assert.equal(f.state, "ended");
    assert.deepEqual(calls(), ["my_orders", "my_orders+completed", "marketplace"]);
  });

  for (const [label, servers, reason] of [
    ["shows the server rented", [server(5, true)], /server 5 shows as rented/],
    ["does not list the server", [], /does not list server 5/],
  ] as const) {
    it(`is unknown when no answer lists an order and the marketplace ${label}`, async () => {
      const { client } = setup({ json: EMPTY }, { json: EMPTY }, { json: { code: 0, servers } });
      const f = await pendingOrderFate(client, { serverId: 5, since: ct });
      assert.equal(f.state, "unknown");
      assert.match(f.state === "unknown" ? f.reason : "", reason);
    });
  }
});
