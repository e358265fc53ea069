import assert from "node:assert/strict";
import { join } from "node:path";
import type { Emulator } from "../../provider/emulator";
import { REPO, type TestStack, useEmulatorStack } from "./harness";

/**
 * API calls per Pulumi operation, counted from the emulator's request log so a regression
 * in coalescing or batching fails CI. Timings are measured in bench/, not here.
 */
describe("API calls per operation (N orders)", function () {
  this.timeout(300_000);
  const N = 3;
  let emu: Emulator;
  let stack: TestStack;

  const callsDuring = async (op: () => Promise<unknown>) => {
    const from = emu.requests.length;
    await op();
    const calls = emu.requests.slice(from);
    return {
      log: calls,
      total: calls.length,
      by: (e: string) => calls.filter((c) => c.endpoint === e).length,
      rateLimited: calls.filter((c) => c.httpStatus === 429).length,
    };
  };

  const ctx = useEmulatorStack(join(REPO, "test/pulumi/programs/order"), { config: { count: String(N) } });
  before(async () => {
    ({ emu, stack } = ctx);
    await stack.pulumi(["config", "set", "--path", "serverIds[0]", "60101"]);
    await stack.pulumi(["config", "set", "--path", "serverIds[1]", "60103"]);
    await stack.pulumi(["config", "set", "--path", "serverIds[2]", "52211"]);
  });

  it("creates N orders with N create_order calls and no 429", async () => {
    const c = await callsDuring(() => stack.up());
    assert.equal(c.by("create_order"), N);
    assert.equal(c.rateLimited, 0, JSON.stringify(c.log.filter((x) => x.httpStatus === 429)));
    assert.equal(emu.activeOrders().length, N);
  });

  it("previews with no API call at all", async () => {
    const c = await callsDuring(() => stack.preview(["--expect-no-changes"]));
    assert.equal(c.total, 0);
  });

  it("refreshes N orders with one my_orders call", async () => {
    const c = await callsDuring(() => stack.refresh());
    assert.equal(c.by("my_orders"), 1);
    assert.ok(c.total <= 2, `refresh made ${c.total} calls`);
  });

  it("destroys N orders with one cancel_orders call", async () => {
    const c = await callsDuring(() => stack.destroy());
    assert.equal(c.by("cancel_orders"), 1);
    assert.equal(c.by("cancel_order"), 0);
    assert.ok(c.total <= 2, `destroy made ${c.total} calls`);
    assert.equal(emu.activeOrders().length, 0);
  });
});
