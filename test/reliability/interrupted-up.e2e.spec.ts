import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { join } from "node:path";
import type { Emulator } from "../../provider/emulator";
import type { TestStack } from "../pulumi/harness";
import {
  USD_SERVERS,
  assertEveryOrderAccountedFor,
  clore,
  killUpMidCreate,
  orderIdsInState,
  output,
  reliabilityStack,
  removeConfig,
  requestsTo,
  sdkClient,
  setConfig,
  startFastEmulator,
  tryUp,
} from "./helpers";
import { sampleOrder } from "../helpers/emulator";

const SERVER = USD_SERVERS[0];
const URN = "urn:pulumi:test::clore-test-reliability::pulumi-nodejs:dynamic/clore:Order::order-0";

/**
 * `pulumi up` killed with SIGKILL while it waits for a new order to boot: the order exists,
 * the engine never heard back, and the local backend keeps a lock and a pending "creating"
 * operation without an id (Pulumi 3.274 behaviour, checked below). Every recovery must end
 * with the order adopted into state or cancelled — never billing unknown.
 */
describe("pulumi up killed mid-create", function () {
  this.timeout(300_000);
  let emu: Emulator;
  let stack: TestStack;
  let backendDir: string;

  before(async () => {
    emu = await startFastEmulator();
    stack = await reliabilityStack(emu, { serverId: String(SERVER) });
    backendDir = stack.env.PULUMI_BACKEND_URL!.replace(/^file:\/\//, "");
  });
  beforeEach(() => {
    emu.reset();
    emu.options.bootDelayMs = 0;
    // The emulator starts over, so records of creates a killed up left on "this machine"
    // (the stack's HOME) would name orders of the old emulator: start without them too.
    rmSync(join(stack.env.HOME!, ".cache", "pulumi-clore", "creates"), { recursive: true, force: true });
  });
  afterEach(async function () {
    if (this.currentTest?.state !== "passed") {
      await stack.pulumi(["cancel", "--yes"], { allowFail: true });
      await stack.pulumi(["refresh", "--yes", "--skip-preview", "--clear-pending-creates"], { allowFail: true });
      await stack.destroy().catch(() => undefined);
    }
    await removeConfig(stack, ["orderExtra"]);
  });
  after(async () => {
    if (stack) {
      await stack.destroy().catch(() => undefined);
      stack.cleanup();
    }
    await emu?.close();
  });

  async function checkpoint() {
    const { json } = await stack.exportState();
    const d = json.deployment as {
      resources?: Array<{ urn: string; id?: string }>;
      pending_operations?: Array<{ type: string; resource: { urn: string; id?: string } }>;
    };
    return { resources: d.resources ?? [], pending: d.pending_operations ?? [] };
  }

  async function orphans(extra: string[] = []) {
    const r = await clore(emu, ["orphans", "--backend-dir", backendDir, "--json", ...extra]);
    assert.equal(r.code, 0, output(r));
    return JSON.parse(r.stdout) as {
      orphans: Array<{ id: number; interruptedCreate: { urn: string } | null }>;
      cancelled: number[];
    };
  }

  it("leaves a lock and an id-less pending create; a plain up then continues with that order, renting nothing twice", async () => {
    const order = await killUpMidCreate(emu, stack);
    const locked = await tryUp(stack);
    assert.notEqual(locked.code, 0);
    assert.match(output(locked), /the stack is currently locked/);
    await stack.pulumi(["cancel", "--yes"]);
    const { pending, resources } = await checkpoint();
    assert.deepEqual(
      pending.map((p) => [p.type, p.resource.urn, p.resource.id ?? null]),
      [["creating", URN, null]],
    );
    assert.equal(resources.filter((r) => r.urn === URN).length, 0);
    // Non-interactive refresh keeps pending creates; up warns and calls create again, which
    // finds this machine's record of the interrupted create and takes its order.
    await stack.refresh();
    const again = await tryUp(stack);
    assert.equal(again.code, 0, output(again));
    assert.match(output(again), /pending operations from previous deployment/);
    assert.match(output(again), new RegExp(`continuing with order ${order.id} on server ${SERVER}`));
    assert.deepEqual(
      emu.allOrders().map((o) => o.id),
      [order.id],
      "a second server was rented",
    );
    assert.deepEqual(await orderIdsInState(stack), [String(order.id)]);
    await assertEveryOrderAccountedFor(emu, stack);
    await stack.destroy();
    assert.equal(emu.allOrders()[0]!.state, "cancelled");
  });

  it("find-and-rent: a plain up after a killed up never rents a second server (the first shows as taken now)", async () => {
    await setConfig(stack, { select: JSON.stringify({ gpus: ["RTX"] }) });
    try {
      const order = await killUpMidCreate(emu, stack);
      await stack.pulumi(["cancel", "--yes"]);
      const again = await tryUp(stack);
      assert.equal(again.code, 0, output(again));
      assert.deepEqual(
        emu.allOrders().map((o) => o.id),
        [order.id],
        "a second server was rented",
      );
      const outputs = await stack.outputs();
      assert.deepEqual((outputs.orders as Record<string, { orderId: number; serverId: number }>)["order-0"], {
        orderId: order.id,
        serverId: order.serverId,
        status: "running",
      });
      await stack.destroy();
      await assertEveryOrderAccountedFor(emu, stack);
    } finally {
      await removeConfig(stack, ["select"]);
    }
  });

  it("recovers by cancelling: clore orphans names the interrupted create, --cancel stops the bill, up rents anew", async () => {
    const order = await killUpMidCreate(emu, stack);
    await stack.pulumi(["cancel", "--yes"]);
    const listed = await orphans(["--cancel", "--yes"]);
    assert.deepEqual(
      listed.orphans.map((o) => [o.id, o.interruptedCreate?.urn]),
      [[order.id, URN]],
    );
    assert.deepEqual(listed.cancelled, [order.id]);
    await stack.pulumi(["refresh", "--yes", "--skip-preview", "--clear-pending-creates"]);
    await stack.up();
    const accounted = await assertEveryOrderAccountedFor(emu, stack);
    assert.equal(accounted.get(order.id), "cancelled");
    assert.deepEqual([...accounted.values()].sort(), ["cancelled", "in state"]);
    await stack.destroy();
  });

  it("recovers by adopting: clear the pending create, then adoptOrderId takes the order over without renting", async () => {
    const order = await killUpMidCreate(emu, stack);
    await stack.pulumi(["cancel", "--yes"]);
    const [orphan] = (await orphans()).orphans;
    assert.equal(orphan!.id, order.id);
    await stack.pulumi(["refresh", "--yes", "--skip-preview", "--clear-pending-creates"]);
    await setConfig(stack, { orderExtra: JSON.stringify({ adoptOrderId: orphan!.id }) });
    await stack.up();
    assert.deepEqual(await orderIdsInState(stack), [String(order.id)]);
    assert.equal(requestsTo(emu, "create_order").length, 1, "adopting must not rent");
    assert.deepEqual((await orphans()).orphans, []);
    await assertEveryOrderAccountedFor(emu, stack);
    await stack.destroy();
    assert.equal(emu.allOrders()[0]!.state, "cancelled");
  });

  it("`refresh --import-pending-creates` either adopts the order or leaves it to clore orphans, never lost", async () => {
    // Pulumi 3.274 turns the op into a pending import and then drops it without a Read for a
    // dynamic resource; whichever way a future Pulumi goes, orphans must close the gap.
    const order = await killUpMidCreate(emu, stack);
    await stack.pulumi(["cancel", "--yes"]);
    await stack.pulumi([
      "refresh",
      "--yes",
      "--skip-preview",
      "--import-pending-creates",
      URN,
      "--import-pending-creates",
      String(order.id),
    ]);
    const adopted = (await orderIdsInState(stack)).includes(String(order.id));
    if (!adopted) assert.deepEqual((await orphans(["--cancel", "--yes"])).cancelled, [order.id]);
    await assertEveryOrderAccountedFor(emu, stack);
    await stack.destroy();
  });

  // BUG (provider/cli/stack-state.ts orderIdOf / ordersInState): a `pending:<serverId>:<since>`
  // id in state (a create whose order could not be identified) is not recognised, so
  // `clore orphans` lists that order as unknown to every stack and `--cancel` cancels an
  // order the stack would adopt on its next refresh.
  it("clore orphans recognises a pending: handle in state as that stack's order", async () => {
    emu.faults.inject({ endpoint: "create_order", kind: "create-then-error" });
    emu.faults.inject({ endpoint: "my_orders", kind: "db-error", times: "always" });
    assert.notEqual((await tryUp(stack)).code, 0);
    emu.faults.clear();
    assert.match((await orderIdsInState(stack))[0] ?? "", /^pending:/);
    const listed = await orphans();
    const [order] = emu.activeOrders();
    const entry = listed.orphans.find((o) => o.id === order!.id);
    assert.ok(
      !entry || entry.interruptedCreate,
      "the order behind the stack's pending handle is listed as a plain orphan",
    );
    await stack.refresh();
    await stack.destroy();
  });

  // SUGGESTION (provider/resources/order/controller.ts create / provider/sdk/errors.ts): when
  // create_order says server-already-rented and my_orders shows our own active order on that
  // server, say so ("held by your order N, which this stack does not know: adopt it with
  // adoptOrderId or cancel it with clore orphans --cancel") instead of "Someone else rented
  // this server".
  it("says the server is held by the caller's own order when that is why create_order fails", async () => {
    const client = sdkClient(emu);
    try {
      const mine = await client.createOrder(sampleOrder(SERVER));
      const r = await tryUp(stack);
      assert.notEqual(r.code, 0);
      assert.match(output(r), new RegExp(`your (own )?order ${mine.id}`));
      await client.cancelOrder(mine.id);
    } finally {
      await client.close();
    }
  });
});
