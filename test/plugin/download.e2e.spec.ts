import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { basename, join } from "node:path";
import type { Emulator } from "../../provider/emulator";
import { PLUGIN_DOWNLOAD_URL } from "../../provider/plugin/package-schema";
import { REPO, type TestStack, createStack } from "../pulumi/harness";
import { FAST_ENV, assertEveryOrderAccountedFor, setConfig, startFastEmulator } from "../reliability/helpers";
import { assetServer } from "./asset-server";
import { PLUGIN_ORDER, PROGRAMS, type Release, release } from "./helpers";

/**
 * A new user's Pulumi YAML program with nothing installed but the pulumi CLI: a fresh
 * PULUMI_HOME, no `node` on PATH (a `node` there that fails if run), and the release's YAML
 * package declaration beside Pulumi.yaml. `pulumi up` downloads the self-contained plugin by
 * itself from the schema's pluginDownloadURL — pointed with Pulumi's own override at a local
 * asset server holding what scripts/release.sh built — and the stack's whole life runs on it.
 */
describe("the plugin downloads itself on `pulumi up` (no node, nothing installed)", function () {
  this.timeout(300_000);
  let emu: Emulator;
  let assets: Awaited<ReturnType<typeof assetServer>>;
  let rel: Release;
  let stack: TestStack;
  let home: string;
  let nodeMarker: string;

  before(async () => {
    rel = await release("plugin");
    assets = await assetServer(rel);
    emu = await startFastEmulator({});
    const tools = (process.env.PATH ?? "").split(":").find((d) => existsSync(join(d, "pulumi-language-yaml")));
    if (!tools) throw new Error("pulumi-language-yaml not on PATH: `. scripts/env.sh` first");
    const root = mkdtempSync(join(REPO, ".tmp", "plugin-download-"));
    home = join(root, "pulumi-home");
    const bin = join(root, "bin");
    mkdirSync(bin);
    for (const tool of ["pulumi", "pulumi-language-yaml"]) symlinkSync(join(tools, tool), join(bin, tool));
    nodeMarker = join(root, "node-was-run");
    writeFileSync(join(bin, "node"), `#!/bin/sh\n: > "${nodeMarker}"\necho "not this node" >&2\nexit 1\n`, {
      mode: 0o755,
    });
    const from = PLUGIN_DOWNLOAD_URL.replace(/[.]/g, "\\.");
    stack = await createStack(join(PROGRAMS, "yaml-cycle"), {
      ...FAST_ENV,
      PATH: bin,
      PULUMI_HOME: home,
      // A new user's default (scripts/env.sh turns it off for this repository's own stacks).
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "false",
      PULUMI_PLUGIN_DOWNLOAD_URL_OVERRIDES: `^${from}$=${assets.url}/v\${VERSION}`,
    });
    const cleanup = stack.cleanup;
    stack.cleanup = () => {
      cleanup();
      rmSync(root, { recursive: true, force: true });
    };
    copyFileSync(rel.yamlDeclaration, join(stack.dir, basename(rel.yamlDeclaration)));
    await stack.setConfig("clore:apiKey", emu.apiKey, true);
    await setConfig(stack, { "clore:baseUrl": emu.url });
  });
  after(async () => {
    await stack?.destroy().catch(() => undefined);
    stack?.cleanup();
    await emu?.close();
    assets?.server.close();
  });

  it("publishes a checksum for every archive", () => {
    const sums = readFileSync(rel.checksums, "utf8").trim().split("\n");
    const archive = basename(rel.pluginTarball);
    const sha = createHash("sha256").update(readFileSync(rel.pluginTarball)).digest("hex");
    assert.ok(sums.includes(`${sha}  ${archive}`), sums.join("\n"));
  });

  it("`pulumi up` fetches this machine's archive once, installs it and rents the order on it", async () => {
    await stack.up();
    const archive = `/v${rel.version}/pulumi-resource-clore-v${rel.version}-linux-amd64.tar.gz`;
    assert.deepEqual(assets.gets, [archive]);
    assert.ok(existsSync(join(home, "plugins", `resource-clore-v${rel.version}`, "pulumi-resource-clore")));
    assert.equal(emu.activeOrders().length, 1);
    assert.match(((await stack.outputs()) as { ssh: string }).ssh, /^ssh root@127\.0\.0\.1 -p \d+$/);
  });

  it("previews and refreshes with no changes, downloading nothing again", async () => {
    await stack.preview(["--expect-no-changes"]);
    await stack.refresh(["--expect-no-changes"]);
    assert.equal(assets.gets.length, 1);
  });

  it("destroys with every order accounted for, and never ran the node on PATH", async () => {
    await stack.destroy();
    assert.deepEqual(emu.activeOrders(), []);
    await assertEveryOrderAccountedFor(emu, stack, { type: PLUGIN_ORDER });
    assert.equal(existsSync(nodeMarker), false, "the plugin ran `node` from PATH");
  });
});
