import assert from "node:assert/strict";
import type { Emulator } from "../../provider/emulator";
import type { TestStack } from "../pulumi/harness";
import {
  USD_SERVERS,
  assertEveryOrderAccountedFor,
  killUpMidCreate,
  orderIdsInState,
  output,
  requestsTo,
  setConfig,
  startFastEmulator,
  tryUp,
} from "../reliability/helpers";
import { PLUGIN_ORDER, pluginStack } from "./helpers";

/**
 * The reliability suite's invariant on the plugin path: every order the emulator ever made
 * ends up in the stack's state or cancelled, through a ghost create, a `pulumi up` killed
 * mid-create, and a create that outlasts its customTimeouts.
 */
describe("faults on the plugin path", function () {
  this.timeout(300_000);
  let emu: Emulator;

  before(async () => {
    emu = await startFastEmulator();
  });
  beforeEach(() => {
    emu.reset();
    emu.options.bootDelayMs = 0;
  });
  afterEach(() => emu.faults.clear());
  after(async () => {
    await emu?.close();
  });

  /** Exactly one order, in state and active; destroy cancels it and accounts for every order. */
  async function expectOneOrderThenDestroy(stack: TestStack) {
    const ids = await orderIdsInState(stack, PLUGIN_ORDER);
    assert.deepEqual(
      ids,
      emu.activeOrders().map((o) => String(o.id)),
    );
    assert.equal(ids.length, 1);
    await stack.destroy();
    assert.deepEqual(emu.activeOrders(), []);
    await assertEveryOrderAccountedFor(emu, stack, { type: PLUGIN_ORDER });
  }

  describe("an order of a fixed server", () => {
    let stack: TestStack;
    before(async () => {
      stack = await pluginStack("yaml-order", emu);
      await setConfig(stack, { serverId: String(USD_SERVERS[0]) });
    });
    afterEach(async function () {
      if (this.currentTest?.state === "passed") return;
      await stack.pulumi(["cancel", "--yes"], { allowFail: true });
      await stack.pulumi(["refresh", "--yes", "--skip-preview", "--clear-pending-creates"], { allowFail: true });
      await stack.destroy().catch(() => undefined);
    });
    after(async () => {
      await stack?.destroy().catch(() => undefined);
      stack?.cleanup();
    });

    it("keeps the order when create_order rents but answers an error (ghost create)", async () => {
      emu.faults.inject({ endpoint: "create_order", kind: "create-then-error" });
      await stack.up();
      assert.equal(requestsTo(emu, "create_order").length, 1);
      await expectOneOrderThenDestroy(stack);
    });

    it("continues the order of a `pulumi up` killed mid-create: after `pulumi cancel`, a plain up rents nothing new", async () => {
      const order = await killUpMidCreate(emu, stack);
      await stack.pulumi(["cancel", "--yes"]);
      const again = await stack.up();
      assert.match(output(again), new RegExp(`continuing with order ${order.id} on server ${order.serverId}`));
      assert.deepEqual(
        emu.allOrders().map((o) => o.id),
        [order.id],
        "a second server was rented",
      );
      await expectOneOrderThenDestroy(stack);
    });
  });

  it("fails a create at customTimeouts.create (5 s) with the order kept in state; destroy cancels it", async () => {
    const stack = await pluginStack("yaml-timeout", emu);
    try {
      await setConfig(stack, { serverId: String(USD_SERVERS[1]) });
      emu.options.bootDelayMs = 3_600_000; // never boots within the test
      const started = Date.now();
      const r = await tryUp(stack);
      const seconds = (Date.now() - started) / 1000;
      assert.notEqual(r.code, 0);
      assert.match(output(r), /was not ready after 5 s.*raise customTimeouts/);
      assert.ok(seconds >= 5 && seconds < 20, `up took ${seconds.toFixed(1)} s`);
      await expectOneOrderThenDestroy(stack);
    } finally {
      await stack.destroy().catch(() => undefined);
      stack.cleanup();
    }
  });
});
