import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { type Emulator, startEmulator } from "../../provider/emulator";
import { REPO } from "../helpers/build";
import { type DayTwoProject, dayTwo } from "../helpers/day-two";
import { FAST_EMULATOR, FAST_ENV, type RunResult, run } from "../pulumi/harness";
import { type ReadmeBlock, readmeBlocks } from "./readme-blocks";

/**
 * The README is the test: what "Start a project" tells a new user to do, done the way they do
 * it — the release tarball from scripts/release.sh, an empty directory outside this repository
 * (nothing resolves from our node_modules, lockfile or TypeScript), the README's shell blocks
 * run as they are, its files and programs written as they are, the newest @pulumi/pulumi from
 * the registry — then preview, up, refresh and destroy against the emulator. The one addition
 * is `clore:baseUrl`, pointing the project at the emulator instead of the real API.
 */
const OWN_SERVER = 41873; // rig-alpha: the emulator's account hosts it, and it is the cheapest RTX 4090
const HF_TOKEN = "hf_readmeSecretToken42";
/** The oldest @pulumi/pulumi the peer range allows (dynamic providers' `configure` arrived in 3.139.0). */
const LOWEST_PULUMI = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")).peerDependencies[
  "@pulumi/pulumi"
].replace(/^\^/, "");

// The Install section's blocks (install, project, stack) are the registry test's.
const blocks = readmeBlocks().filter((b) => ["setup", "file", "program", "typecheck"].includes(b.kind));
const of = (kind: ReadmeBlock["kind"]) => blocks.filter((b) => b.kind === kind);

describe("README: start a project (a new user's own project, from the release tarball)", function () {
  this.timeout(600_000);
  let emu: Emulator;
  let root: string;
  let tgz: string;

  /**
   * A user's shell: this machine's environment (its registry and certificate settings), the
   * toolchain on PATH but not this repo's node_modules, no CLORE_* of ours, a fresh HOME
   * (npm's cache stays the machine's) and backend.
   */
  function userEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    const path = (process.env.PATH ?? "").split(delimiter).filter((p) => !p.startsWith(join(REPO, "node_modules")));
    const machine = Object.fromEntries(
      Object.entries(process.env).filter(
        ([k]) => !k.startsWith("CLORE_") && k !== "NODE_PATH" && !k.startsWith("npm_"),
      ),
    );
    return {
      ...machine,
      PATH: path.join(delimiter),
      HOME: join(root, "home"),
      npm_config_cache: join(process.env.HOME ?? "", ".npm"),
      npm_config_update_notifier: "false",
      PULUMI_CONFIG_PASSPHRASE: "readme-passphrase",
      PULUMI_CLORE_TGZ: tgz,
      CLORE_API_KEY: emu.apiKey,
      HF_TOKEN,
      ...FAST_ENV,
      ...extra,
    };
  }

  /** Each project has its own backend (a user's projects would not share one stack name space here). */
  const projectEnv = (cwd: string) =>
    userEnv({ PULUMI_BACKEND_URL: `file://${join(cwd.replace(/\/gpu-project$/, ""), "backend")}` });

  async function sh(script: string, cwd: string, env = projectEnv(cwd)): Promise<RunResult> {
    const r = await run("bash", ["-euo", "pipefail", "-c", script], { cwd, env, timeoutMs: 300_000 });
    assert.equal(r.code, 0, `${script}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
    return r;
  }
  const pulumi = (dir: string, args: string, env?: NodeJS.ProcessEnv) =>
    sh(`pulumi ${args} --non-interactive --color=never`, dir, env);

  /**
   * A project as the README sets it up, in `root/<name>`: its setup blocks (the first one made
   * gpu-project/), its files, `program` as index.ts. `adapt` changes a setup block (variants).
   */
  async function project(name: string, program: string, adapt: (script: string) => string = (s) => s): Promise<string> {
    const parent = join(root, name);
    mkdirSync(join(parent, "backend"), { recursive: true });
    const [install, stack] = of("setup");
    await sh(adapt(install!.text), parent);
    const dir = join(parent, "gpu-project");
    for (const f of of("file")) writeFileSync(join(dir, f.name), f.text);
    writeFileSync(join(dir, "index.ts"), program);
    await sh(adapt(stack!.text), dir);
    await pulumi(dir, `config set clore:baseUrl ${emu.url}`);
    return dir;
  }

  /** A README project on its second day (test/helpers/day-two.ts); its marketplace cache is under the user's HOME. */
  const dayTwoOf = (dir: string): DayTwoProject => ({
    emu,
    pulumi: (args) => pulumi(dir, args),
    pastMarketplaceCache: () =>
      rmSync(join(root, "home", ".cache", "pulumi-clore", "marketplace"), { recursive: true, force: true }),
  });

  const programText = (name: string) => of("program").find((b) => b.name === name)!.text;
  const outputs = async (dir: string) => JSON.parse((await pulumi(dir, "stack output --json --show-secrets")).stdout);

  before(async () => {
    root = mkdtempSync(join(tmpdir(), "clore-readme-"));
    mkdirSync(join(root, "home"));
    emu = await startEmulator(FAST_EMULATOR);
    // As the README says; only the npm package is needed here (the plugin specs build the rest).
    const dir = join(root, "release");
    const release = await run("bash", ["scripts/release.sh", "npm"], {
      cwd: REPO,
      env: { ...process.env, CLORE_RELEASE_DIR: dir },
      timeoutMs: 300_000,
    });
    assert.equal(release.code, 0, release.stderr);
    tgz = join(dir, `pulumi-clore-${JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")).version}.tgz`);
  });
  after(async () => {
    await emu?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it("has the blocks this test runs", () => {
    assert.deepEqual(
      blocks.map((b) => `${b.kind} ${b.name}`.trim()),
      [
        "setup",
        "file Pulumi.yaml",
        "file tsconfig.json",
        "program index.ts",
        "setup",
        "program find-and-rent.ts",
        "program budget.ts",
        "program hosts.ts",
        "typecheck sdk.ts",
      ],
    );
  });

  describe("index.ts, with the newest @pulumi/pulumi", () => {
    let dir: string;
    before(async () => {
      dir = await project("newest", programText("index.ts"));
    });

    it("installs one copy of @pulumi/pulumi (a peer, not a second private copy)", async () => {
      const tree = (await sh("npm ls @pulumi/pulumi --all --parseable", dir)).stdout.trim().split("\n");
      assert.deepEqual(
        tree.map((p) => p.replace(dir, ".")),
        ["./node_modules/@pulumi/pulumi"],
      );
    });

    it("previews with no API call but the marketplace, and lists offers without the key's own rig", async () => {
      const before = emu.requests.length;
      const preview = await pulumi(dir, "preview");
      assert.deepEqual(
        emu.requests.slice(before).filter((r) => r.endpoint !== "marketplace"),
        [],
      );
      assert.match(preview.stdout, /RTX 4090 under \$10\/day: server \d+ at [\d.]+\/day/);
      assert.doesNotMatch(preview.stdout, new RegExp(`server ${OWN_SERVER} at`));
    });

    it("rents the cheapest RTX 4090 the key does not host itself, and exports server, ssh and jupyter", async () => {
      await pulumi(dir, "up --yes --skip-preview");
      const out = await outputs(dir);
      const [order] = emu.activeOrders();
      assert.equal(emu.activeOrders().length, 1);
      assert.notEqual(order!.serverId, OWN_SERVER, "rented the user's own rig");
      assert.equal(out.server, order!.serverId);
      assert.match(out.ssh, /^ssh root@127\.0\.0\.1 -p \d+$/);
      assert.match(out.jupyter, /^https:\/\//);
      assert.deepEqual(order!.env, { HF_TOKEN });
    });

    it("keeps the env secret and the password out of the state file", async () => {
      const state = (await pulumi(dir, "stack export")).stdout;
      assert.ok(!state.includes(HF_TOKEN), "HF_TOKEN is in the state in plain text");
      assert.ok(!state.includes(emu.apiKey), "the API key is in the state in plain text");
    });

    it("passes day 2: past the marketplace cache, with its server the only match, preview, up and refresh change nothing; destroy leaves nothing", async () => {
      await dayTwo(dayTwoOf(dir));
    });

    it("compiles the SDK example with the project's own TypeScript", async () => {
      const sdk = of("typecheck")[0]!;
      writeFileSync(join(dir, sdk.name), sdk.text);
      // The README's compiler options (tsconfig.json), for this one file.
      await sh(
        `npx tsc --noEmit --strict --target es2020 --module commonjs --moduleResolution node --esModuleInterop ${sdk.name}`,
        dir,
      );
    });

    for (const name of ["find-and-rent.ts", "budget.ts", "hosts.ts"]) {
      it(`runs ${name} from the README: up, then day 2 (preview, up, refresh change nothing), then destroy with nothing left`, async () => {
        writeFileSync(join(dir, "index.ts"), programText(name));
        const up = await pulumi(dir, "up --yes --skip-preview");
        const out = await outputs(dir);
        if (name === "find-and-rent.ts") {
          // Under `select` the chosen server is an output, and never the key's own rig.
          assert.equal(typeof out.server, "number", JSON.stringify(out));
          assert.notEqual(out.server, OWN_SERVER);
          assert.equal(emu.activeOrders()[0]!.serverId, out.server);
        }
        if (name === "budget.ts") {
          assert.match(up.stdout, /clore: 2 order\(s\) in budget "team" cost about [\d.]+ USD-Blockchain\/day/);
          assert.equal(out.orderIds.length, 2);
        }
        await dayTwo(dayTwoOf(dir));
      });
    }
  });

  it(`runs index.ts with the oldest @pulumi/pulumi the package supports (${LOWEST_PULUMI})`, async () => {
    const dir = await project("lowest", programText("index.ts"), (s) =>
      s.replace("@pulumi/pulumi\n", `@pulumi/pulumi@${LOWEST_PULUMI}\n`),
    );
    assert.match(
      (await sh("npm ls @pulumi/pulumi", dir)).stdout,
      new RegExp(`@pulumi/pulumi@${LOWEST_PULUMI.replace(/\./g, "\\.")}`),
    );
    await pulumi(dir, "up --yes --skip-preview");
    assert.equal((await outputs(dir)).server, emu.activeOrders()[0]!.serverId);
    await pulumi(dir, "destroy --yes --skip-preview");
    assert.deepEqual(emu.activeOrders(), []);
  });

  it("compiles index.ts without TypeScript in the project (Pulumi's bundled TypeScript 3.8)", async () => {
    const dir = await project("no-typescript", programText("index.ts"), (s) =>
      s.replace(/^npm install --save-dev typescript.*\n/m, ""),
    );
    await sh("test ! -e node_modules/typescript", dir);
    await pulumi(dir, "preview");
  });
});
