import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { join } from "node:path";
import type { Emulator } from "../../provider/emulator";
import { dayTwo, stackProject } from "../helpers/day-two";
import { REPO, type TestStack, run } from "../pulumi/harness";
import { assertEveryOrderAccountedFor, startFastEmulator } from "../reliability/helpers";
import { PLUGIN_ORDER, pluginStack, release } from "./helpers";

const tag = () => randomBytes(6).toString("hex");
const KEY = `py-key-${tag()}`;
const SSH_PASSWORD = `pw-${tag()}`;

/**
 * A Python program through the generated SDK (the release's wheel) on the plugin: the README's
 * find-and-rent cycle, with the API key and an ssh password as secret config.
 */
describe("a Python program on the plugin, through the generated SDK", function () {
  this.timeout(300_000);
  let emu: Emulator;
  let stack: TestStack;

  before(async () => {
    const { wheel } = await release("plugin", "sdk");
    emu = await startFastEmulator({ apiKey: KEY });
    // The wheel goes into a directory of this stack, not into the shared .venv, which runs it.
    const site = join(REPO, ".tmp", `python-sdk-${tag()}`);
    const pip = await run(
      join(REPO, ".venv/bin/pip"),
      ["install", "--quiet", "--disable-pip-version-check", "--no-deps", "--target", site, wheel],
      { cwd: REPO, env: process.env },
    );
    assert.equal(pip.code, 0, pip.stderr);
    stack = await pluginStack("python", emu, { env: { PYTHONPATH: site } });
    const cleanup = stack.cleanup;
    stack.cleanup = () => {
      cleanup();
      rmSync(site, { recursive: true, force: true });
    };
    await stack.setConfig("sshPassword", SSH_PASSWORD, true);
  });
  after(async () => {
    await stack?.destroy().catch(() => undefined);
    stack?.cleanup();
    await emu?.close();
  });

  it("rents the cheapest server and exports its ssh command", async () => {
    await stack.up();
    const out = (await stack.outputs()) as { ssh: string };
    assert.match(out.ssh, /^ssh root@127\.0\.0\.1 -p \d+$/);
    assert.deepEqual(
      emu.activeOrders().map((o) => o.serverId),
      [40329],
      "the cheapest RTX 4090 the key does not host",
    );
    const [rent] = emu.requests.filter((r) => r.endpoint === "create_order");
    assert.equal(
      (rent!.body as { ssh_password?: string }).ssh_password,
      SSH_PASSWORD,
      "the secret reached the API intact",
    );
  });

  it("keeps the API key and the ssh password out of the exported state", async () => {
    const { text } = await stack.exportState();
    assert.ok(text.includes(PLUGIN_ORDER));
    assert.equal(text.includes(KEY), false, "the API key is in the state");
    assert.equal(text.includes(SSH_PASSWORD), false, "the ssh password is in the state");
  });

  it("passes day 2 (its server the only match, the cache past): preview, up, refresh change nothing; destroy leaves nothing", async () => {
    await dayTwo(stackProject(emu, stack));
    await assertEveryOrderAccountedFor(emu, stack, { type: PLUGIN_ORDER });
  });
});
