// Shared by the plugin specs: the release artifacts built once per test process the way a
// user builds them (scripts/release.sh), and stacks that install the plugin tarball into a
// PULUMI_HOME of their own, as the README says (never into the toolchain's PULUMI_HOME).
import { rmSync } from "node:fs";
import { join } from "node:path";
import type { Emulator } from "../../provider/emulator";
import { packageVersion } from "../../provider/sdk";
import { REPO, type TestStack, createStack, run } from "../pulumi/harness";
import { FAST_ENV, setConfig } from "../reliability/helpers";
import { scratchDir } from "../helpers/scratch-dir";

export const PLUGIN_ORDER = "clore:index:Order";
export const PROGRAMS = join(REPO, "test/plugin/programs");

export interface Release {
  dir: string;
  version: string;
  pluginTarball: string;
  /** sha256sum lines of every plugin archive. */
  checksums: string;
  /** The Pulumi YAML package declaration (name, version, downloadUrl). */
  yamlDeclaration: string;
  wheel: string;
  goSdk: string;
  /** The npm package (npm pack), with part "npm". */
  npmTarball: string;
}

let releaseDir: string | undefined;
const built = new Map<string, Promise<void>>();

/** `bash scripts/release.sh <parts>` into a directory of this test process (removed at exit). */
export async function release(...parts: Array<"npm" | "plugin" | "sdk">): Promise<Release> {
  if (!releaseDir) {
    const dir = scratchDir("plugin-release");
    releaseDir = dir;
    process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  }
  const dir = releaseDir;
  for (const part of parts) {
    if (!built.has(part)) {
      built.set(
        part,
        run("bash", ["scripts/release.sh", part], {
          cwd: REPO,
          // The plugin for this machine only: the other targets cannot run here.
          env: { ...process.env, CLORE_RELEASE_DIR: dir, CLORE_PLUGIN_TARGETS: "linux-amd64" },
          timeoutMs: 600_000,
        }).then((r) => {
          if (r.code !== 0) throw new Error(`scripts/release.sh ${part} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
        }),
      );
    }
    await built.get(part);
  }
  const version = packageVersion();
  return {
    dir,
    version,
    pluginTarball: join(dir, `pulumi-resource-clore-v${version}-linux-amd64.tar.gz`),
    checksums: join(dir, `pulumi-resource-clore-v${version}-checksums.txt`),
    yamlDeclaration: join(dir, `clore-${version}.yaml`),
    wheel: join(dir, `pulumi_clore-${version}-py3-none-any.whl`),
    goSdk: join(dir, "sdk/go"),
    npmTarball: join(dir, `pulumi-clore-${version}.tgz`),
  };
}

/**
 * A stack of `program` whose PULUMI_HOME has the release's plugin installed with
 * `pulumi plugin install resource clore <version> --file <tarball>`, configured for `emu`
 * (clore:apiKey as a secret) unless `key` is null.
 */
export async function pluginStack(
  program: string,
  emu: Emulator,
  opts: { env?: NodeJS.ProcessEnv; key?: string | null } = {},
): Promise<TestStack> {
  const { pluginTarball, version } = await release("plugin");
  const home = scratchDir("plugin-home");
  const stack = await createStack(join(PROGRAMS, program), { ...FAST_ENV, PULUMI_HOME: home, ...opts.env });
  const cleanup = stack.cleanup;
  stack.cleanup = () => {
    cleanup();
    rmSync(home, { recursive: true, force: true });
  };
  await stack.pulumi(["plugin", "install", "resource", "clore", version, "--file", pluginTarball]);
  if (opts.key !== null) await stack.setConfig("clore:apiKey", opts.key ?? emu.apiKey, true);
  await setConfig(stack, { "clore:baseUrl": emu.url });
  return stack;
}
