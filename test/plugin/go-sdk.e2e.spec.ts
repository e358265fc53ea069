import assert from "node:assert/strict";
import { cpSync, existsSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import type { Emulator } from "../../provider/emulator";
import { dayTwo, stackProject } from "../helpers/day-two";
import { type TestStack, run } from "../pulumi/harness";
import { assertEveryOrderAccountedFor, startFastEmulator } from "../reliability/helpers";
import { PLUGIN_ORDER, PROGRAMS, pluginStack, release } from "./helpers";
import { scratchDir } from "../helpers/scratch-dir";

/**
 * The generated Go SDK compiles into a program (test/plugin/programs/go: a find-and-rent Order
 * on an explicit provider), with the program's go.mod pointed at the release's SDK by a
 * `replace`, as the README says; the built program then runs on the engine and the plugin
 * through its second day. Slow but necessary: the first build on a machine compiles
 * the Pulumi Go SDK (about 2 min on 2 cores); later ones reuse the Go build cache (~15 s).
 */
describe("the generated Go SDK", function () {
  this.timeout(600_000);
  let dir: string;

  before(() => {
    dir = scratchDir("go-program");
    cpSync(join(PROGRAMS, "go"), dir, { recursive: true });
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("builds a program that rents an order on an explicit provider", async () => {
    const { goSdk } = await release("sdk");
    // The user's Go caches, so the Pulumi SDK is compiled once per machine, not per run.
    const env = { ...process.env, GOWORK: "off", GOFLAGS: "-mod=mod" };
    const go = async (...args: string[]) => {
      const r = await run("go", args, { cwd: dir, env, timeoutMs: 540_000 });
      assert.equal(r.code, 0, `go ${args.join(" ")}:\n${r.stdout}\n${r.stderr}`);
    };
    await go("mod", "edit", `-replace=github.com/pulumi-clore/pulumi-clore/sdk/go=${goSdk}`);
    await go("mod", "tidy");
    await go("build", "-trimpath", "-o", "program", ".");
    assert.ok(existsSync(join(dir, "program")));
  });

  describe("the built program on the engine and the plugin", () => {
    let emu: Emulator;
    let stack: TestStack;
    before(async function () {
      if (!existsSync(join(dir, "program"))) this.skip(); // the build above failed
      // A user's Pulumi.yaml. The Go language host compiles the program on every pulumi run
      // (from Go's build cache, ~20 s each on 2 cores): day 2's five runs are most of this spec.
      writeFileSync(join(dir, "Pulumi.yaml"), "name: clore-plugin-go\nruntime: go\n");
      emu = await startFastEmulator();
      stack = await pluginStack(relative(PROGRAMS, dir), emu, { key: null, env: { CLORE_BASE_URL: emu.url } });
      await stack.setConfig("cloreKey", emu.apiKey, true);
      await stack.setConfig("sshPassword", "go-example-pass", true);
    });
    after(async () => {
      await stack?.destroy().catch(() => undefined);
      stack?.cleanup();
      await emu?.close();
    });

    it("rents the cheapest RTX 4090 the key does not host, then passes day 2 and destroys every order", async () => {
      await stack.up();
      const out = (await stack.outputs()) as { server: number; ssh: string };
      assert.match(out.ssh, /^ssh root@127\.0\.0\.1 -p \d+$/);
      assert.deepEqual(
        emu.activeOrders().map((o) => o.serverId),
        [out.server],
      );
      await dayTwo(stackProject(emu, stack));
      await assertEveryOrderAccountedFor(emu, stack, { type: PLUGIN_ORDER });
    });
  });
});
