import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Emulator } from "../../provider/emulator";
import { PLUGIN_DOWNLOAD_URL } from "../../provider/plugin/package-schema";
import { scratchDir } from "../helpers/scratch-dir";
import { assetServer } from "../plugin/asset-server";
import { type Release, release } from "../plugin/helpers";
import { FAST_ENV, REPO, run } from "../pulumi/harness";
import { startFastEmulator } from "../reliability/helpers";

/**
 * `pulumi new ./templates/<lang>` as a new user runs it: a fresh directory, a fresh PULUMI_HOME,
 * Pulumi's defaults (automatic plugin download on; scripts/env.sh turns it off for this
 * repository's own stacks), offline. The YAML project then lives its whole life on the plugin
 * Pulumi downloads by itself (from a local asset server standing in for the release).
 */
describe("pulumi new templates (fresh directory and PULUMI_HOME)", function () {
  this.timeout(300_000);
  let root: string;
  let env: NodeJS.ProcessEnv;
  let assets: Awaited<ReturnType<typeof assetServer>>;
  let rel: Release;
  let emu: Emulator;

  before(async () => {
    rel = await release("plugin");
    assets = await assetServer(rel);
    emu = await startFastEmulator({});
    root = scratchDir("templates");
    const backend = join(root, "backend");
    mkdirSync(backend);
    env = {
      ...process.env,
      ...FAST_ENV,
      HOME: root,
      PULUMI_HOME: join(root, "pulumi-home"),
      PULUMI_BACKEND_URL: `file://${backend}`,
      PULUMI_CONFIG_PASSPHRASE: "test-passphrase",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "false",
      PULUMI_PLUGIN_DOWNLOAD_URL_OVERRIDES: `^${PLUGIN_DOWNLOAD_URL.replace(/[.]/g, "\\.")}$=${assets.url}/v\${VERSION}`,
      CLORE_CACHE_DIR: join(root, "cache"),
      CLORE_API_KEY: "",
    };
  });
  after(async () => {
    await emu?.close();
    assets?.server.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  async function pulumi(dir: string, args: string[], input?: string) {
    const r = await run("pulumi", [...args, "--non-interactive", "--color=never"], { cwd: dir, env, input });
    if (r.code !== 0) throw new Error(`pulumi ${args.join(" ")} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
    return r;
  }
  async function pulumiNew(lang: string, extra: string[] = []): Promise<string> {
    const dir = join(root, lang);
    mkdirSync(dir);
    await pulumi(dir, [
      "new",
      join(REPO, "templates", lang),
      "--yes",
      "--name",
      `gpu-${lang}`,
      "--stack",
      "dev",
      "--secrets-provider",
      "passphrase",
      ...extra,
    ]);
    return dir;
  }

  it("yaml: new, up, a second preview with no changes, destroy; 0 orders left", async () => {
    const dir = await pulumiNew("yaml");
    assert.equal(readFileSync(join(dir, "Pulumi.yaml"), "utf8").includes("${PROJECT}"), false);
    // The key through stdin as a secret: `pulumi new -c clore:apiKey=…` would store it in plain text.
    await pulumi(dir, ["config", "set", "--secret", "clore:apiKey"], emu.apiKey);
    await pulumi(dir, ["config", "set", "--secret", "sshPassword"], "s3cret-pw");
    await pulumi(dir, ["config", "set", "clore:baseUrl", emu.url]);
    assert.equal(readFileSync(join(dir, "Pulumi.dev.yaml"), "utf8").includes(emu.apiKey), false);

    await pulumi(dir, ["up", "--yes", "--skip-preview"]);
    assert.equal(emu.activeOrders().length, 1);
    const out = JSON.parse((await pulumi(dir, ["stack", "output", "--json"])).stdout) as { ssh: string };
    assert.match(out.ssh, /^ssh root@127\.0\.0\.1 -p \d+$/);
    assert.ok(existsSync(join(env.PULUMI_HOME!, "plugins", `resource-clore-v${rel.version}`, "pulumi-resource-clore")));

    await pulumi(dir, ["preview", "--expect-no-changes"]);
    await pulumi(dir, ["destroy", "--yes", "--skip-preview"]);
    assert.deepEqual(emu.activeOrders(), []);
  });

  it("python: new writes a program that compiles", async () => {
    const dir = await pulumiNew("python", ["--generate-only"]);
    assert.match(readFileSync(join(dir, "requirements.txt"), "utf8"), new RegExp(`pulumi-clore==${rel.version}`));
    const r = await run("python3", ["-m", "py_compile", "__main__.py"], { cwd: dir, env });
    assert.equal(r.code, 0, r.stderr);
  });

  it("go: new writes a module and program that gofmt parses", async () => {
    const dir = await pulumiNew("go", ["--generate-only"]);
    assert.match(readFileSync(join(dir, "go.mod"), "utf8"), /^module gpu-go$/m);
    // gofmt -l parses and lists files that are not formatted (none): no module download needed.
    const r = await run("gofmt", ["-l", "main.go"], { cwd: dir, env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), "");
  });
});
