import assert from "node:assert/strict";
import { join } from "node:path";
import type { CloreClient } from "../../provider/sdk";
import { dayTwo, stackProject } from "../helpers/day-two";
import { isolatedClient, useEmulator } from "../helpers/emulator";
import { REPO, type TestStack, createStack } from "./harness";

const FAST = { CLORE_MIN_INTERVAL_MS: "100", CLORE_CREATE_INTERVAL_MS: "400" };

describe("examples on the real Pulumi engine", function () {
  this.timeout(300_000);
  const emu = useEmulator({ port: 0, timeScale: 0.05 });
  let sdk: CloreClient;

  before(() => {
    sdk = isolatedClient(emu, { limits: { minIntervalMs: 60, createIntervalMs: 300 } });
  });
  after(() => sdk?.close());

  async function stackFor(example: string): Promise<TestStack> {
    const stack = await createStack(join(REPO, "examples", example), FAST);
    await stack.setConfig("clore:baseUrl", emu.url);
    await stack.setConfig("clore:apiKey", emu.apiKey, true);
    return stack;
  }

  describe("gpu-rental", () => {
    let stack: TestStack;
    after(() => stack?.cleanup());

    it("rents the cheapest matching server (find-and-rent) and prints its ssh command", async () => {
      stack = await stackFor("gpu-rental");
      await stack.setConfig("sshPassword", "example-pass-1", true);
      await stack.up();
      const out = await stack.outputs();
      assert.match(String(out.sshCommand), /^ssh root@127\.0\.0\.1 -p \d+$/);
      const market = await sdk.marketplace({ availableOnly: false });
      const rented = emu.activeOrders()[0]!;
      const cheapest = market
        .filter((s) => s.allowed_coins?.includes("USD-Blockchain") && (s.gpu_array ?? []).some((g) => /RTX/i.test(g)))
        .map((s) => s.price?.on_demand?.["USD-Blockchain"] ?? Infinity)
        .filter((p) => p <= 10);
      assert.equal(rented.price, Math.min(...cheapest));
    });

    it("passes day 2 (its server the only match, the cache past): preview, up and refresh change nothing; destroy cancels", async () => {
      await dayTwo(stackProject(emu, stack));
    });
  });

  describe("host-pricing", () => {
    let stack: TestStack;
    let before: Record<string, number | null>;
    after(() => stack?.cleanup());

    it("sets the prices of the host's server", async () => {
      before = { ...(await sdk.serverConfig("rig-alpha")).pricing };
      stack = await stackFor("host-pricing");
      await stack.setConfig("usdPerDay", "4.2");
      await stack.up();
      const cfg = await sdk.serverConfig("rig-alpha");
      assert.equal(cfg.pricing?.["USD-Blockchain"], 4.2);
      assert.equal(cfg.spot_pricing?.["USD-Blockchain"], 2.31);
      assert.equal(cfg.mrl, 96);
    });

    it("reports a price changed outside Pulumi as drift on refresh, and up puts it back", async () => {
      await sdk.setServerSettings({
        name: "rig-alpha",
        availability: true,
        mrl: 96,
        onDemandPrices: { "USD-Blockchain": 9.99 },
      });
      await stack.refresh();
      const preview = await stack.preview();
      assert.match(preview.stdout, /~ .*rig-alpha|update/);
      await stack.up();
      assert.equal((await sdk.serverConfig("rig-alpha")).pricing?.["USD-Blockchain"], 4.2);
    });

    it("restores the settings it found on destroy", async () => {
      await stack.destroy();
      assert.deepEqual((await sdk.serverConfig("rig-alpha")).pricing, before);
    });
  });
});
