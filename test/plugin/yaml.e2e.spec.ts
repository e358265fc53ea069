import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import type { Emulator } from "../../provider/emulator";
import { keyFingerprint } from "../../provider/sdk";
import { dayTwo, stackProject } from "../helpers/day-two";
import type { TestStack } from "../pulumi/harness";
import {
  USD_SERVERS,
  assertEveryOrderAccountedFor,
  output,
  setConfig,
  startFastEmulator,
} from "../reliability/helpers";
import { PLUGIN_ORDER, pluginStack } from "./helpers";

const tag = () => randomBytes(6).toString("hex");
const KEY_A = `key-a-${tag()}`;
const KEY_B = `key-b-${tag()}`;
const KEY_ROTATED = `key-a2-${tag()}`;
const STARTUP = `echo startup-${tag()}`;
/** The cheapest RTX 4090 under 10 USD-Blockchain/day in the emulator's seed that the key does not host itself. */
const RTX_4090_CHEAPEST = 40329;

/**
 * Pulumi YAML programs on the plugin (installed from the release tarball), the real engine
 * and the emulator: the README's find-and-rent cycle, and two accounts in one stack.
 */
describe("Pulumi YAML programs on the plugin", function () {
  this.timeout(300_000);
  let emu: Emulator;

  before(async () => {
    emu = await startFastEmulator({ apiKey: KEY_A, apiKeys: [KEY_B, KEY_ROTATED] });
  });
  after(async () => {
    await emu?.close();
  });

  describe("the README's find-and-rent Order", () => {
    let stack: TestStack;
    before(async () => {
      stack = await pluginStack("yaml-cycle", emu);
    });
    after(async () => {
      await stack?.destroy().catch(() => undefined);
      stack?.cleanup();
    });

    it("rents the cheapest server and exports its ssh command", async () => {
      const up = await stack.up();
      assert.match(output(up), /clore: rented server \d+ as order \d+/, "progress reaches the engine's log");
      const out = (await stack.outputs()) as { ssh: string };
      assert.match(out.ssh, /^ssh root@127\.0\.0\.1 -p \d+$/);
      const [order, ...more] = emu.activeOrders();
      assert.deepEqual(more, []);
      assert.equal(order!.serverId, RTX_4090_CHEAPEST);
      assert.equal(((await stack.outputs()) as { server: number }).server, RTX_4090_CHEAPEST);
    });

    it("previews no changes, with no API call", async () => {
      const from = emu.requests.length;
      await stack.preview(["--expect-no-changes"]);
      assert.deepEqual(
        emu.requests.slice(from).map((r) => r.endpoint),
        [],
      );
    });

    it("refreshes with one my_orders call and finds no drift", async () => {
      const from = emu.requests.length;
      await stack.refresh(["--expect-no-changes"]);
      assert.deepEqual(
        emu.requests.slice(from).map((r) => r.endpoint),
        ["my_orders"],
      );
    });

    it("passes day 2 (its server the only match, another stack's rent and cancel between), then destroys with every order accounted for", async () => {
      await dayTwo(stackProject(emu, stack));
      await assertEveryOrderAccountedFor(emu, stack, { type: PLUGIN_ORDER });
    });
  });

  describe("two explicit providers with two API keys", () => {
    let stack: TestStack;
    before(async () => {
      emu.reset();
      // Explicit providers take no stack config: each has its apiKey, and the base URL comes
      // from the environment fallback (CLORE_BASE_URL), as it would for any unset value.
      stack = await pluginStack("yaml-accounts", emu, { key: null, env: { CLORE_BASE_URL: emu.url } });
      await stack.setConfig("keyA", KEY_A, true);
      await stack.setConfig("keyB", KEY_B, true);
      await stack.setConfig("startup", STARTUP, true);
      await setConfig(stack, { serverA: String(USD_SERVERS[0]), serverB: String(USD_SERVERS[1]) });
    });
    after(async () => {
      await stack?.destroy().catch(() => undefined);
      stack?.cleanup();
    });

    it("rents each order with its own provider's key", async () => {
      await stack.up();
      const byServer = Object.fromEntries(emu.activeOrders().map((o) => [o.serverId, o.createdBy]));
      assert.deepEqual(byServer, { [USD_SERVERS[0]]: keyFingerprint(KEY_A), [USD_SERVERS[1]]: keyFingerprint(KEY_B) });
    });

    it("keeps the keys and a secret input out of state (the engine re-marks what the plugin gets as plain values)", async () => {
      const { text } = await stack.exportState();
      assert.deepEqual(
        [KEY_A, KEY_B, STARTUP].filter((secret) => text.includes(secret)),
        [],
      );
      const [rent] = emu.requests.filter(
        (r) => r.endpoint === "create_order" && (r.body as { command?: string }).command,
      );
      assert.equal((rent!.body as { command: string }).command, STARTUP, "the secret reached the API intact");
    });

    it("keeps the orders when one account's key is rotated: the provider updates, nothing is replaced", async () => {
      await stack.setConfig("keyA", KEY_ROTATED, true);
      const preview = await stack.preview();
      assert.doesNotMatch(output(preview), /replace/);
      const from = emu.requests.length;
      await stack.up();
      assert.equal(emu.activeOrders().length, 2);
      assert.deepEqual(
        emu.requests.slice(from).filter((r) => r.method === "POST"),
        [],
        "no order was created or cancelled",
      );
    });

    it("destroys both orders, each with its own key", async () => {
      const from = emu.requests.length;
      await stack.destroy();
      assert.deepEqual(emu.activeOrders(), []);
      const keys = new Set(emu.requests.slice(from).map((r) => r.keyFingerprint));
      assert.deepEqual([...keys].sort(), [keyFingerprint(KEY_ROTATED), keyFingerprint(KEY_B)].sort());
      await assertEveryOrderAccountedFor(emu, stack, { type: PLUGIN_ORDER });
    });
  });
});
