import assert from "node:assert/strict";
import { cpSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { REPO, run } from "../pulumi/harness";
import { PROGRAMS, release } from "./helpers";

/**
 * The generated Go SDK compiles into a program (test/plugin/programs/go: getMarketplace and
 * an Order on an explicit provider), with the program's go.mod pointed at the release's SDK by
 * a `replace`, as the README says. Slow but necessary: the first build on a machine compiles
 * the Pulumi Go SDK (about 2 min on 2 cores); later ones reuse the Go build cache (~15 s).
 */
describe("the generated Go SDK", function () {
  this.timeout(600_000);
  let dir: string;

  before(() => {
    dir = mkdtempSync(join(REPO, ".tmp", "go-program-"));
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
    await go("mod", "edit", `-replace=pulumi-clore.local/sdk/go=${goSdk}`);
    await go("mod", "tidy");
    await go("build", "-trimpath", "-o", "program", ".");
    assert.ok(existsSync(join(dir, "program")));
  });
});
