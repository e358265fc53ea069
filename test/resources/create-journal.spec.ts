import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateJournal, requestHash } from "../../provider/resources/order/create-journal";
import { resumeInterrupted } from "../../provider/resources/order/rent";
import type { OrderInputsResolved } from "../../provider/resources/order/schema";
import { CloreClient, FakeClock, RateLimiter, createOrderFields } from "../../provider/sdk";
import { FakeTransport, byEndpoint, type FakeHandler, type FakeReply, uniqueKey } from "../helpers/fake-transport";
import { fixture } from "../helpers/fixtures";

/** my_orders as the fixture has it: order 612345 on server 41873, created at ct 1732449600. */
const MY_ORDERS = fixture("my_orders.json") as { orders: Array<{ id: number; si: number; ct: number }> };
const ORDER = MY_ORDERS.orders[0]!;
/** With return_completed=true: the same two active orders and 598001, ended (`expired: true`). */
const COMPLETED = fixture("my_orders_return_completed.json") as typeof MY_ORDERS;
const ENDED = COMPLETED.orders.find((o) => (o as { expired?: boolean }).expired)!;
/** A server no order of the fixtures is on. */
const FREE_SERVER = 70001;

/** my_orders answering `active` without return_completed and `completed` with it. */
const myOrders =
  (active: unknown, completed: unknown): FakeHandler =>
  (req) => ({ json: req.url.includes("return_completed=true") ? completed : active });
/** The marketplace listing FREE_SERVER and 41873, both `rented` as given. */
const market = (rented: boolean): FakeReply => {
  const base = (fixture("marketplace.json") as { servers: object[] }).servers[0]!;
  return { json: { code: 0, servers: [FREE_SERVER, ORDER.si].map((id) => ({ ...base, id, rented })) } };
};
const INPUTS = {
  serverId: ORDER.si,
  image: "cloreai/jupyter:ubuntu24.04-v2",
  currency: "USD-Blockchain",
  type: "on-demand",
  waitForReady: true,
  readyTimeout: 600,
} as OrderInputsResolved;

describe("resuming a create a killed `pulumi up` left behind", () => {
  let dir: string;
  let journal: CreateJournal;
  const cancelled: number[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "clore-journal-"));
    journal = new CreateJournal("account", "urn:pulumi:dev::p::pulumi-nodejs:dynamic/clore:Order::trainer", dir);
    cancelled.length = 0;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function client(orders: FakeReply | FakeHandler, marketplace: FakeReply = market(true)): CloreClient {
    const clock = new FakeClock();
    return new CloreClient({
      apiKey: uniqueKey("journal"),
      clock,
      rateLimiter: new RateLimiter({ clock }),
      maxRetries: 0,
      transport: new FakeTransport(byEndpoint({ my_orders: orders, marketplace }), clock),
    });
  }
  const record = (extra: object = {}) =>
    journal.record({
      serverId: ORDER.si,
      since: ORDER.ct - 60,
      request: requestHash(createOrderFields(INPUTS)),
      at: "2026-11-29T10:00:00.000Z",
      ...extra,
    });
  const resume = (c: CloreClient, inputs = INPUTS) =>
    resumeInterrupted(c, journal, inputs, async (id) => void cancelled.push(id));

  it("does nothing without a record", async () => {
    assert.equal(await resume(client({ throws: new Error("no call expected") })), undefined);
  });

  it("continues with the order the interrupted create made, found by server and time", async () => {
    record();
    const r = await resume(client({ json: MY_ORDERS }));
    assert.equal(r?.order.id, ORDER.id);
    assert.deepEqual(cancelled, []);
  });

  it("continues with the recorded order id when the create had found it", async () => {
    record({ orderId: ORDER.id, since: ORDER.ct + 3600 });
    assert.equal((await resume(client({ json: MY_ORDERS })))?.order.id, ORDER.id);
  });

  it("forgets the record when the API lists the order as ended, so the create rents", async () => {
    record({ orderId: ENDED.id });
    assert.equal(await resume(client(myOrders(MY_ORDERS, COMPLETED))), undefined);
    assert.equal(journal.read(), undefined);
  });

  it("forgets the record when nothing was rented: no order on the server and the marketplace lists it free", async () => {
    record({ serverId: FREE_SERVER });
    assert.equal(await resume(client(myOrders(MY_ORDERS, COMPLETED), market(false))), undefined);
    assert.equal(journal.read(), undefined);
  });

  for (const [label, answer] of [
    ["an empty my_orders", { json: { code: 0, orders: [] } }],
    ["a my_orders that lacks the order", { json: MY_ORDERS }],
  ] as const) {
    it(`rents nothing and keeps the record when the order is in no answer (${label})`, async () => {
      record({ orderId: 999 });
      await assert.rejects(resume(client(answer)), /does not say what became of it.*Nothing was rented now/);
      assert.ok(journal.read(), "the record stays for the next try");
    });
  }

  it("rents nothing while the interrupted create's server shows as rented but no answer lists an order", async () => {
    record();
    await assert.rejects(
      resume(client({ json: { code: 0, orders: [] } }, market(true))),
      /server 41873 shows as rented.*Nothing was rented now/,
    );
    assert.ok(journal.read());
  });

  it("cancels the order when the inputs changed since, so it does not bill on", async () => {
    record();
    assert.equal(await resume(client({ json: MY_ORDERS }), { ...INPUTS, image: "other/image" }), undefined);
    assert.deepEqual(cancelled, [ORDER.id]);
    assert.equal(journal.read(), undefined);
  });

  it("stops with a message naming the server, the order and what to run when my_orders cannot be read", async () => {
    record({ orderId: ORDER.id });
    await assert.rejects(resume(client({ status: 500, json: { code: 1 } })), (e: Error) => {
      assert.match(
        e.message,
        new RegExp(
          `interrupted while renting server ${ORDER.si} .* as order ${ORDER.id}.*Nothing was rented now\\. Run \`pulumi up\` again later, or see \`clore orders\``,
        ),
      );
      return true;
    });
    assert.ok(journal.read(), "the record stays for the next try");
  });

  it("keeps no secret in the record: the request hash leaves passwords, tokens and env values out", () => {
    const a = requestHash(createOrderFields({ ...INPUTS, sshPassword: "one", jupyterToken: "t1", env: { A: "x" } }));
    const b = requestHash(createOrderFields({ ...INPUTS, sshPassword: "two", jupyterToken: "t2", env: { A: "y" } }));
    assert.equal(a, b);
    assert.notEqual(a, requestHash(createOrderFields({ ...INPUTS, env: { B: "y" } })));
  });
});
