import assert from "node:assert/strict";
import { join } from "node:path";
import type { Emulator } from "../../provider/emulator";
import { assertEveryOrderAccountedFor } from "../reliability/helpers";
import { ORDER_TYPE, REPO, type TestStack, resourcesOfType, useEmulatorStack } from "./harness";

const PROGRAM = join(REPO, "test/pulumi/programs/order");
const SECRET_PASSWORD = "pw-e2e-4c1d9f";
const SECRET_ENV = "hf_e2eSecretToken";
// Servers from the emulator's seed marketplace that accept USD-Blockchain.
const SERVER = 60101;
const OTHER_SERVER = 60103;

/**
 * Every order the emulator ever created is in the stack's state by id, cancelled, or one the
 * test ended itself (the reliability invariant), and none is covered only by a `pending:`
 * handle: no create here ever loses track of its order.
 */
async function assertNothingOrphaned(emu: Emulator, stack: TestStack, endedOutside: number[]) {
  const accounted = await assertEveryOrderAccountedFor(emu, stack, { endedOutside });
  const pending = [...accounted].filter(([, how]) => how === "pending handle in state").map(([id]) => id);
  assert.deepEqual(pending, [], "orders found only through a pending handle in the stack's state");
}

describe("CloreOrder on the real Pulumi engine", function () {
  this.timeout(300_000);
  const ctx = useEmulatorStack(PROGRAM, {
    config: { serverId: String(SERVER) },
    secrets: { sshPassword: SECRET_PASSWORD },
  });
  let emu: Emulator;
  let stack: TestStack;

  before(async () => {
    ({ emu, stack } = ctx);
    await stack.pulumi(["config", "set", "--path", "--secret", "env.HF_TOKEN"], { input: SECRET_ENV });
  });

  let firstOrderId: number;
  /** Orders the test itself ended (not Pulumi): accounted for as "ended outside Pulumi". */
  const endedOutside: number[] = [];

  it("rents the server on up, waits for ssh and exports the ssh command", async () => {
    await stack.up();
    const { orders } = (await stack.outputs()) as {
      orders: Record<string, { orderId: number; status: string; sshCommand: string }>;
    };
    const o = orders["order-0"]!;
    assert.match(o.sshCommand, /^ssh root@127\.0\.0\.1 -p \d+$/);
    assert.equal(o.status, "running");
    assert.deepEqual(
      emu.activeOrders().map((x) => x.id),
      [o.orderId],
    );
    firstOrderId = o.orderId;
  });

  it("shows no changes on a second preview", async () => {
    await stack.preview(["--expect-no-changes"]);
  });

  it("keeps the API key and secret inputs out of the exported state", async () => {
    const { text, json } = await stack.exportState();
    assert.ok(!text.includes(emu.apiKey), "API key in state");
    assert.ok(!text.includes(SECRET_PASSWORD), "ssh password in plain text in state");
    assert.ok(!text.includes(SECRET_ENV), "secret env value in plain text in state");
    const [order] = resourcesOfType(json, ORDER_TYPE);
    const provider = String(order!.inputs!.__provider);
    assert.ok(
      !provider.includes(emu.apiKey) && provider.length < 4000,
      "the serialized provider carries more than a shim",
    );
  });

  it("replaces the order when the image changes, cancelling the old one before renting again", async () => {
    await stack.setConfig("image", "pytorch/pytorch:2.4.0-cuda12.1-cudnn9-runtime");
    await stack.up();
    const all = emu.allOrders();
    const old = all.find((o) => o.id === firstOrderId)!;
    const current = emu.activeOrders();
    assert.equal(current.length, 1);
    assert.notEqual(current[0]!.id, firstOrderId);
    assert.equal(old.state, "cancelled");
    assert.ok(old.endedAt! <= current[0]!.createdAt, "the new order was created before the old one was cancelled");
    assert.equal(current[0]!.image, "pytorch/pytorch:2.4.0-cuda12.1-cudnn9-runtime");
  });

  it("replaces the order when the ports change", async () => {
    const before = emu.activeOrders()[0]!.id;
    await stack.pulumi(["config", "set", "ports", '{"22":"tcp","8888":"http"}']);
    await stack.up();
    const [now] = emu.activeOrders();
    assert.notEqual(now!.id, before);
    assert.deepEqual(now!.ports, { "22": "tcp", "8888": "http" });
  });

  it("says at preview, in words, that a changed serverId replaces the running order, and what to use instead", async () => {
    const [live] = emu.activeOrders();
    await stack.setConfig("serverId", "60103");
    const preview = await stack.preview();
    await stack.setConfig("serverId", String(SERVER));
    assert.match(
      `${preview.stdout}\n${preview.stderr}`,
      new RegExp(`order ${live!.id} would be replaced: serverId changes from ${SERVER} to 60103.*use \`select\``),
    );
    assert.deepEqual(
      emu.activeOrders().map((o) => o.id),
      [live!.id],
      "preview changed an order",
    );
  });

  it("notices an order cancelled outside Pulumi on refresh", async () => {
    const [live] = emu.activeOrders();
    emu.endOrder(live!.id, "host-ended");
    endedOutside.push(live!.id);
    await stack.refresh();
    const { json } = await stack.exportState();
    assert.equal(resourcesOfType(json, ORDER_TYPE).length, 0);
    // The next up rents again.
    await stack.up();
    assert.equal(emu.activeOrders().length, 1);
    await assertNothingOrphaned(emu, stack, endedOutside);
  });

  it("leaves zero active orders after destroy", async () => {
    await stack.destroy();
    assert.equal(emu.activeOrders().length, 0);
    await assertNothingOrphaned(emu, stack, endedOutside);
  });

  it("updates a spot bid in place", async () => {
    await stack.setConfig("type", "spot");
    await stack.setConfig("spotPrice", "31");
    await stack.up();
    const [spot] = emu.activeOrders();
    assert.equal(spot!.type, "spot");
    await stack.setConfig("spotPrice", "33.5");
    const r = await stack.up();
    const [after] = emu.activeOrders();
    assert.equal(after!.id, spot!.id, "a bid change must not replace the order");
    assert.equal(after!.price, 33.5);
    assert.match(r.stdout, /updated/);
    await stack.destroy();
    await stack.pulumi(["config", "rm", "type"]);
    await stack.pulumi(["config", "rm", "spotPrice"]);
  });

  it("keeps the order id in state when the server never becomes ready, and destroy cancels it", async () => {
    emu.options.bootDelayMs = 3_600_000; // an hour of virtual time: never within the test
    await stack.setConfig("readyTimeout", "3");
    await stack.setConfig("serverId", String(OTHER_SERVER));
    const r = await stack.pulumi(["up", "--yes", "--skip-preview"], { allowFail: true });
    assert.notEqual(r.code, 0);
    assert.match(r.stdout + r.stderr, /was not ready after 3 s/);
    const { json } = await stack.exportState();
    const [kept] = resourcesOfType(json, ORDER_TYPE);
    const active = emu.activeOrders();
    assert.equal(active.length, 1);
    assert.equal(String(kept!.id), String(active[0]!.id), "the rented order's id is not in state");
    await stack.destroy();
    assert.equal(emu.activeOrders().length, 0);
    emu.options.bootDelayMs = 20_000;
    await assertNothingOrphaned(emu, stack, endedOutside);
  });
});
