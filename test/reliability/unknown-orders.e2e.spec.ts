import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { join } from "node:path";
import type { Emulator } from "../../provider/emulator";
import type { FaultSpec } from "../../provider/emulator/faults";
import type { TestStack } from "../pulumi/harness";
import {
  USD_SERVERS,
  assertEveryOrderAccountedFor,
  clore,
  killUpMidCreate,
  orderIdsInState,
  output,
  reliabilityStack,
  requestsTo,
  sdkClient,
  setConfig,
  startFastEmulator,
  tryUp,
} from "./helpers";

/**
 * An order is gone only when the API says it ended (provider/sdk/order-fate.ts), on the real
 * engine: each decision point (refresh, destroy, a plain up after a killed one) under each
 * my_orders glitch (a well-formed empty list, a list without our orders, a stale page) ends
 * with the orders still in state, no second create_order, one clear warning or error, and —
 * once the API answers truly again — nothing left billing. The controls: an order cancelled
 * or expired outside Pulumi is still removed by refresh, even while the active list glitches.
 */
const TWO = { count: "2", serverIds: JSON.stringify([USD_SERVERS[0], USD_SERVERS[1]]) };
const UNKNOWN_WARNING = /could not tell whether orders? [\d, ]+ (is|are) still running/g;

describe("orders no answer accounts for stay managed (real engine, my_orders faults)", function () {
  this.timeout(300_000);
  let emu: Emulator;
  let stack: TestStack;

  before(async () => {
    emu = await startFastEmulator();
    stack = await reliabilityStack(emu, TWO);
  });
  beforeEach(() => {
    emu.reset();
    emu.options.bootDelayMs = 0;
    rmSync(join(stack.env.HOME!, ".cache", "pulumi-clore", "creates"), { recursive: true, force: true });
  });
  afterEach(async () => {
    emu.faults.clear();
    await stack.pulumi(["cancel", "--yes"], { allowFail: true });
    await stack.destroy().catch(() => undefined);
    await setConfig(stack, TWO);
  });
  after(async () => {
    if (stack) {
      await stack.destroy().catch(() => undefined);
      stack.cleanup();
    }
    await emu?.close();
  });

  /** up, then the ids of its two orders (sorted, as strings). */
  async function upTwo(): Promise<string[]> {
    await stack.up();
    const ids = (await orderIdsInState(stack)).sort();
    assert.equal(ids.length, 2);
    return ids;
  }

  const faults: Array<[string, (ids: number[]) => FaultSpec[]]> = [
    ["a well-formed empty list", () => [{ kind: "orders-empty", times: "always" }]],
    ["a list without the stack's orders", (ids) => [{ kind: "orders-omit", orderIds: ids, times: "always" }]],
    ["a stale page from before the orders existed", () => [{ kind: "orders-stale", times: "always" }]],
  ];

  for (const [label, specs] of faults) {
    it(`refresh under ${label}: keeps both orders, one warning naming them, and the next up rents nothing`, async () => {
      // The stale page: what my_orders answered before the up (no orders yet).
      const sdk = sdkClient(emu);
      await sdk.myOrders();
      await sdk.myOrders({ includeCompleted: true });
      await sdk.close();
      const ids = await upTwo();
      const creates = requestsTo(emu, "create_order").length;
      for (const f of specs(ids.map(Number))) emu.faults.inject(f);

      const refresh = await stack.refresh();
      // Pulumi prints a diagnostic twice (live, then under "Diagnostics:"): count the summary.
      const said = output(refresh).split("Diagnostics:")[1]?.match(UNKNOWN_WARNING) ?? [];
      assert.equal(said.length, 1, `one warning for both orders:\n${output(refresh)}`);
      for (const id of ids) assert.match(said[0]!, new RegExp(`\\b${id}\\b`));
      assert.match(output(refresh), /clore orders/);
      assert.deepEqual((await orderIdsInState(stack)).sort(), ids, "refresh dropped an order it could not see");

      // Still glitching: up changes nothing and rents nothing.
      await stack.up(["--expect-no-changes"]);
      assert.equal(requestsTo(emu, "create_order").length, creates, "a second create_order was sent");
      emu.faults.clear();
      await stack.destroy();
      assert.deepEqual(emu.activeOrders(), []);
      await assertEveryOrderAccountedFor(emu, stack);
    });
  }

  it("control: an order cancelled outside Pulumi and one that expired are still removed, while the active list answers empty", async () => {
    const ids = await upTwo();
    const sdk = sdkClient(emu);
    await sdk.cancelOrder(Number(ids[0]));
    await sdk.close();
    emu.endOrder(Number(ids[1]), "expired");
    emu.faults.inject({ kind: "orders-empty", returnCompleted: false, times: "always" });
    const refresh = await stack.refresh();
    assert.doesNotMatch(output(refresh), UNKNOWN_WARNING);
    assert.deepEqual(await orderIdsInState(stack), []);
    await assertEveryOrderAccountedFor(emu, stack, { endedOutside: [Number(ids[1])] });
  });

  it("control: under an empty active list, a live order is found in the completed list and refreshed as live", async () => {
    const ids = await upTwo();
    emu.faults.inject({ kind: "orders-empty", returnCompleted: false, times: "always" });
    const refresh = await stack.refresh(["--expect-no-changes"]);
    assert.doesNotMatch(output(refresh), UNKNOWN_WARNING);
    assert.deepEqual((await orderIdsInState(stack)).sort(), ids);
  });

  it("clore orphans calls a stack order no answer lists unknown (not stale), and clore cancel still sends the cancel", async () => {
    const ids = await upTwo();
    const backendDir = stack.env.PULUMI_BACKEND_URL!.replace(/^file:\/\//, "");
    emu.faults.inject({ kind: "orders-omit", orderIds: [Number(ids[0])], times: "always" });
    const r = await clore(emu, ["orphans", "--backend-dir", backendDir, "--json"]);
    assert.equal(r.code, 0, output(r));
    const report = JSON.parse(r.stdout) as {
      stale: unknown[];
      unknown: Array<{ orderId: number }>;
      orphans: unknown[];
    };
    assert.deepEqual(
      report.unknown.map((u) => u.orderId),
      [Number(ids[0])],
    );
    assert.deepEqual([report.stale, report.orphans], [[], []]);
    assert.match(r.stderr, new RegExp(`order ${ids[0]} is in .*the API does not say whether it still runs`));
    const cancel = await clore(emu, ["cancel", ids[0]!]);
    assert.equal(cancel.code, 0, output(cancel));
    emu.faults.clear();
    assert.deepEqual(
      emu.activeOrders().map((o) => String(o.id)),
      [ids[1]],
    );
    const again = await clore(emu, ["cancel", ids[0]!]);
    assert.equal(again.code, 0, output(again));
    assert.match(again.stdout, new RegExp(`Order ${ids[0]} has already ended`));
  });

  it("destroy whose cancels fail while my_orders answers empty: names the orders, keeps them; a later destroy cancels", async () => {
    const ids = await upTwo();
    emu.faults.inject({ kind: "orders-empty", times: "always" });
    for (const endpoint of ["cancel_orders", "cancel_order"] as const)
      emu.faults.inject({ endpoint, kind: "field-error", error: "order_not_found", times: "always" });
    const failed = await stack.pulumi(["destroy", "--yes", "--skip-preview"], { allowFail: true });
    assert.notEqual(failed.code, 0);
    for (const id of ids)
      assert.match(output(failed), new RegExp(`could not cancel order ${id}; it may still bill you`));
    assert.deepEqual((await orderIdsInState(stack)).sort(), ids);
    assert.equal(emu.activeOrders().length, 2);
    emu.faults.clear();
    await stack.destroy();
    assert.deepEqual(emu.activeOrders(), []);
  });

  it("a plain up after a killed up, while my_orders answers empty: rents nothing, says why; the next up continues with the order", async () => {
    await setConfig(stack, { count: "1", serverIds: JSON.stringify([USD_SERVERS[0]]) });
    const order = await killUpMidCreate(emu, stack);
    await stack.pulumi(["cancel", "--yes"]);
    emu.faults.inject({ kind: "orders-empty", times: 3 });
    const blocked = await tryUp(stack);
    assert.notEqual(blocked.code, 0);
    assert.match(output(blocked), /does not say what became of it .*Nothing was rented now/s);
    assert.deepEqual(
      emu.allOrders().map((o) => o.id),
      [order.id],
      "a second server was rented",
    );
    const again = await tryUp(stack);
    assert.equal(again.code, 0, output(again));
    assert.match(output(again), new RegExp(`continuing with order ${order.id}`));
    assert.deepEqual(await orderIdsInState(stack), [String(order.id)]);
    await stack.destroy();
    assert.deepEqual(emu.activeOrders(), []);
    await assertEveryOrderAccountedFor(emu, stack);
  });
});
