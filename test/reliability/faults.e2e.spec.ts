import assert from "node:assert/strict";
import type { Emulator } from "../../provider/emulator";
import type { TestStack } from "../pulumi/harness";
import {
  CLORE_ONLY_SERVER,
  USD_SERVERS,
  assertEveryOrderAccountedFor,
  orderIdsInState,
  output,
  reliabilityStack,
  removeConfig,
  requestsTo,
  setConfig,
  startFastEmulator,
  tryUp,
} from "./helpers";

/**
 * Fault scenarios on the real Pulumi engine. One emulator and one stack for the file; each
 * test starts from a reset emulator and an empty stack, sets the config it needs, and ends
 * with the invariant: every order the emulator ever created is in the stack's state or
 * cancelled (assertEveryOrderAccountedFor).
 */
describe("fault scenarios on the real Pulumi engine", function () {
  this.timeout(300_000);
  let emu: Emulator;
  let stack: TestStack;
  /** Config keys the current test set, removed after it. */
  let setKeys: string[] = [];

  const config = async (values: Record<string, string>) => {
    setKeys.push(...Object.keys(values));
    await setConfig(stack, values);
  };

  const BASE: Record<string, string> = { serverId: String(USD_SERVERS[0]) };

  before(async () => {
    emu = await startFastEmulator();
    stack = await reliabilityStack(emu, BASE);
  });
  beforeEach(() => {
    emu.reset();
    emu.options.bootDelayMs = 0;
  });
  afterEach(async function () {
    emu.faults.clear();
    if (this.currentTest?.state !== "passed") await stack.destroy().catch(() => undefined);
    const touched = [...new Set(setKeys)];
    await removeConfig(
      stack,
      touched.filter((k) => !(k in BASE)),
    );
    await setConfig(stack, Object.fromEntries(touched.filter((k) => k in BASE).map((k) => [k, BASE[k]!])));
    setKeys = [];
  });
  after(async () => {
    if (stack) {
      await stack.destroy().catch(() => undefined);
      stack.cleanup();
    }
    await emu?.close();
  });

  /** up must succeed with exactly one order in state, which is the one active order; destroy cancels it. */
  async function expectOneOrderThenDestroy(label: string) {
    const ids = await orderIdsInState(stack);
    const active = emu.activeOrders().map((o) => String(o.id));
    assert.deepEqual(ids, active, `${label}: state and the emulator's active orders differ`);
    assert.equal(ids.length, 1);
    await stack.destroy();
    await assertEveryOrderAccountedFor(emu, stack);
    assert.deepEqual(emu.activeOrders(), []);
  }

  describe("create_order", () => {
    it("keeps the order when create_order answers code 1 / HTTP 500 after renting", async () => {
      emu.faults.inject({ endpoint: "create_order", kind: "create-then-error" });
      await stack.up();
      assert.equal(requestsTo(emu, "create_order").length, 1);
      await expectOneOrderThenDestroy("create-then-error");
    });

    it("keeps the order when create_order's answer is lost", async () => {
      emu.faults.inject({ endpoint: "create_order", kind: "create-then-drop" });
      await stack.up();
      assert.equal(requestsTo(emu, "create_order").length, 1);
      await expectOneOrderThenDestroy("create-then-drop");
    });

    it("fails clearly and rents nothing when someone else took the server", async () => {
      emu.faults.inject({ endpoint: "create_order", kind: "field-error", error: "server-already-rented" });
      const r = await tryUp(stack);
      assert.notEqual(r.code, 0);
      assert.match(
        output(r),
        /create_order: Clore API code 6 "server-already-rented" \(HTTP 200\)\. The server is taken, by another renter or by an order of yours/,
      );
      assert.deepEqual(await orderIdsInState(stack), []);
      assert.deepEqual(emu.allOrders(), []);
    });

    /**
     * create_order's answer is lost and my_orders cannot be read for the whole search, so
     * the provider cannot tell whether the order exists: it must keep a pending handle.
     */
    async function upWithOutcomeUnknown() {
      emu.faults.inject({ endpoint: "create_order", kind: "create-then-error" });
      emu.faults.inject({ endpoint: "my_orders", kind: "malformed", times: "always" });
      const r = await tryUp(stack);
      emu.faults.clear();
      assert.notEqual(r.code, 0);
      assert.match(output(r), /create_order on server 60101: .*The order may exist and bill you/);
      const [handle] = await orderIdsInState(stack);
      assert.match(handle ?? "", /^pending:60101:\d+$/);
      const accounted = await assertEveryOrderAccountedFor(emu, stack);
      assert.deepEqual([...accounted.values()], ["pending handle in state"]);
    }

    it("keeps a pending handle when the order may exist, and refresh turns it into the order", async () => {
      await upWithOutcomeUnknown();
      await stack.refresh();
      assert.deepEqual(
        await orderIdsInState(stack),
        emu.activeOrders().map((o) => String(o.id)),
      );
      await stack.preview(["--expect-no-changes"]);
      await expectOneOrderThenDestroy("pending handle");
    });

    it("never holds two orders when a plain up follows a pending handle: the found order is cancelled first", async () => {
      await upWithOutcomeUnknown();
      const [first] = emu.activeOrders();
      await stack.up();
      const [second] = emu.activeOrders();
      assert.notEqual(second!.id, first!.id);
      const old = emu.allOrders().find((o) => o.id === first!.id)!;
      assert.equal(old.state, "cancelled");
      assert.ok(old.endedAt! <= second!.createdAt, "the new order was rented before the found one was cancelled");
      await expectOneOrderThenDestroy("up after a pending handle");
    });

    it("names not_enough_balance and rents nothing when the wallet is empty", async () => {
      emu.state.setWalletBalance("USD-Blockchain", 0.01);
      const r = await tryUp(stack);
      assert.notEqual(r.code, 0);
      assert.match(output(r), /"not_enough_balance".*Your wallet balance is too low for this order/);
      assert.deepEqual(emu.allOrders(), []);
      assert.deepEqual(await orderIdsInState(stack), []);
    });

    it("names currency-not-allowed and rents nothing when the server does not take the currency", async () => {
      await config({ serverId: String(CLORE_ONLY_SERVER) });
      const r = await tryUp(stack);
      assert.notEqual(r.code, 0);
      assert.match(output(r), /"currency-not-allowed".*This server does not accept that currency/);
      assert.deepEqual(emu.allOrders(), []);
      assert.deepEqual(await orderIdsInState(stack), []);
    });
  });

  describe("rate limits and flaky reads", () => {
    it("rents 5 servers and destroys them through bursts of 429s", async () => {
      await config({ count: "5", serverIds: JSON.stringify(USD_SERVERS) });
      // The SDK resends a 429'd request at least 3 times (then until its patience is spent); the bursts are at most 3 long and
      // aimed so that no single call meets more than 3: the first hits the first creates, the
      // second the my_orders polls once every create is answered, the third the destroy.
      emu.faults.inject({ endpoint: "*", kind: "rate-limit", times: 3 });
      const created = () => requestsTo(emu, "create_order").filter((r) => r.apiCode === 0).length;
      const second = setInterval(() => {
        if (created() < 5) return;
        emu.faults.inject({ endpoint: "my_orders", kind: "rate-limit", times: 2 });
        clearInterval(second);
      }, 5);
      try {
        await stack.up();
      } finally {
        clearInterval(second);
      }
      const limited = () => emu.requests.filter((r) => r.fault === "rate-limit").map((r) => r.endpoint);
      assert.deepEqual(limited(), ["create_order", "create_order", "create_order", "my_orders", "my_orders"]);
      const ids = await orderIdsInState(stack);
      assert.equal(ids.length, 5);
      assert.deepEqual(
        [...ids].sort(),
        emu
          .activeOrders()
          .map((o) => String(o.id))
          .sort(),
      );
      assert.equal(emu.allOrders().length, 5, "a 429 must never lead to a second order");
      emu.faults.inject({ endpoint: "*", kind: "rate-limit", times: 2 });
      await stack.destroy();
      assert.equal(limited().length, 7);
      assert.deepEqual(emu.activeOrders(), []);
      await assertEveryOrderAccountedFor(emu, stack);
    });

    it("finds the new order when my_orders fails twice after the create", async () => {
      emu.faults.inject({ endpoint: "my_orders", kind: "db-error", times: 2 });
      await stack.up();
      assert.equal(requestsTo(emu, "my_orders").filter((r) => r.apiCode === 1).length, 2);
      await expectOneOrderThenDestroy("my_orders db-error x2");
    });

    it("finds the new order when my_orders answers an HTML error page during the search", async () => {
      emu.faults.inject({ endpoint: "my_orders", kind: "not-json" });
      await stack.up();
      await expectOneOrderThenDestroy("my_orders not-json");
    });

    // BUG (provider/sdk/client.ts createOrder): a my_orders answer that cannot be read (HTTP 200,
    // truncated JSON) after a successful create_order escapes as CLORE_MALFORMED_RESPONSE, the
    // provider records nothing and the order bills outside the stack.
    it("keeps the order (or a pending handle) when my_orders answers truncated JSON during the search", async () => {
      emu.faults.inject({ endpoint: "my_orders", kind: "malformed" });
      const r = await tryUp(stack);
      assert.doesNotMatch(output(r), /Unexpected|TypeError|SyntaxError/);
      await assertEveryOrderAccountedFor(emu, stack);
      await stack.destroy();
    });
  });

  describe("booting", () => {
    it("waits again on the next up after a ready timeout, without a second order", async () => {
      emu.options.bootDelayMs = 140_000; // 7 s of real time at timeScale 0.05
      await config({ readyTimeout: "2" });
      const first = await tryUp(stack);
      assert.notEqual(first.code, 0);
      assert.match(output(first), /was not ready after 2 s/);
      const [kept] = await orderIdsInState(stack);
      assert.equal(kept, String(emu.activeOrders()[0]!.id));
      await config({ readyTimeout: "120" });
      emu.options.bootDelayMs = 0; // new orders would boot at once; this one keeps its boot time
      await stack.up();
      assert.equal(requestsTo(emu, "create_order").length, 1, "the next up rented again");
      const { orders } = (await stack.outputs()) as { orders: Record<string, { orderId: number; status: string }> };
      assert.equal(String(orders["order-0"]!.orderId), kept);
      assert.equal(orders["order-0"]!.status, "running");
      await expectOneOrderThenDestroy("ready timeout");
    });
  });

  describe("destroy", () => {
    it("cancels through failing cancel_orders and cancel_order calls", async () => {
      await config({ count: "2", serverIds: JSON.stringify(USD_SERVERS.slice(0, 2)) });
      await stack.up();
      // The batch call fails once, then answers unreadably, then once more (all retried), then
      // the SDK gives up on it; the per-order fallback then fails once for each order (retried).
      emu.faults.inject({ endpoint: "cancel_orders", kind: "db-error" });
      emu.faults.inject({ endpoint: "cancel_orders", kind: "malformed" });
      emu.faults.inject({ endpoint: "cancel_orders", kind: "db-error", times: 2 });
      emu.faults.inject({ endpoint: "cancel_order", kind: "db-error", times: 2 });
      await stack.destroy();
      assert.deepEqual(emu.activeOrders(), []);
      assert.equal(requestsTo(emu, "cancel_orders").length, 4);
      assert.equal(requestsTo(emu, "cancel_order").length, 4);
      await assertEveryOrderAccountedFor(emu, stack);
    });

    it("treats a cancel whose answer was lost as done", async () => {
      await stack.up();
      emu.faults.inject({ endpoint: "cancel_order", kind: "create-then-drop" });
      await stack.destroy();
      assert.deepEqual(emu.activeOrders(), []);
      assert.deepEqual(await orderIdsInState(stack), []);
      await assertEveryOrderAccountedFor(emu, stack);
    });

    it("names the order that still bills when cancelling keeps failing, and keeps it in state", async () => {
      await stack.up();
      const [order] = emu.activeOrders();
      emu.faults.inject({ endpoint: "cancel_order", kind: "db-error", times: "always" });
      const r = await stack.pulumi(["destroy", "--yes", "--skip-preview"], { allowFail: true });
      assert.notEqual(r.code, 0);
      assert.match(output(r), new RegExp(`could not cancel order ${order!.id}; it may still bill you`));
      assert.deepEqual(await orderIdsInState(stack), [String(order!.id)]);
      emu.faults.clear();
      await stack.destroy();
      assert.deepEqual(emu.activeOrders(), []);
      await assertEveryOrderAccountedFor(emu, stack);
    });
  });

  describe("orders that end outside Pulumi", () => {
    it("drops an expired order on refresh and rents again on the next up", async () => {
      await stack.up();
      const [old] = emu.activeOrders();
      emu.endOrder(old!.id, "expired");
      await stack.refresh();
      assert.deepEqual(await orderIdsInState(stack), []);
      await stack.up();
      const [renewed] = emu.activeOrders();
      assert.notEqual(renewed!.id, old!.id);
      assert.deepEqual(await orderIdsInState(stack), [String(renewed!.id)]);
      await stack.destroy();
      await assertEveryOrderAccountedFor(emu, stack, { endedOutside: [old!.id] });
    });

    it("drops an outbid spot order on refresh and bids again on the next up", async () => {
      await config({ type: "spot", spotPrice: "31" });
      await stack.up();
      const [old] = emu.activeOrders();
      assert.equal(old!.type, "spot");
      emu.outbid(old!.id);
      await stack.refresh();
      assert.deepEqual(await orderIdsInState(stack), []);
      await stack.up();
      const [renewed] = emu.activeOrders();
      assert.equal(renewed!.type, "spot");
      assert.equal(renewed!.price, 31);
      assert.deepEqual(await orderIdsInState(stack), [String(renewed!.id)]);
      await stack.destroy();
      await assertEveryOrderAccountedFor(emu, stack, { endedOutside: [old!.id] });
    });
  });
});
