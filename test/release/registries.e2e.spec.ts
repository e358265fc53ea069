import assert from "node:assert/strict";
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { type Server, createServer } from "node:http";
import { type AddressInfo, createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join, normalize } from "node:path";
import type { Emulator } from "../../provider/emulator";
import { PLUGIN_DOWNLOAD_URL } from "../../provider/plugin/package-schema";
import { REPO } from "../helpers/build";
import { assetServer } from "../plugin/asset-server";
import { type Release, release } from "../plugin/helpers";
import { FAST_ENV, type RunResult, run } from "../pulumi/harness";
import { type ReadmeBlock, readmeBlocks } from "../readme/readme-blocks";
import { accountFor, startFastEmulator } from "../reliability/helpers";

/**
 * Installing as a new user, with nothing but the published artifacts. The release is built
 * once (scripts/release.sh) and published with scripts/publish.sh — real `npm publish` and
 * `twine upload` — to loopback stand-ins of the registries: Verdaccio (npm), pypiserver (PyPI),
 * a module-proxy directory over HTTP (the Go proxy) and a plain HTTP server (the GitHub
 * release's assets). Then, per language, in an empty directory outside this repository with a
 * fresh HOME and ~/.pulumi (PULUMI_HOME: plugins, credentials; the backend): the README's
 * Install section run verbatim — its project files, its install block, its stack block — with
 * only the registry variables the README names pointing at the stand-ins (NPM_CONFIG_REGISTRY,
 * PIP_INDEX_URL, GOPROXY + GONOSUMDB, PULUMI_PLUGIN_DOWNLOAD_URL_OVERRIDES), the backend in the
 * fresh home (PULUMI_BACKEND_URL), and `clore:baseUrl` at the emulator. Python, YAML and Go
 * run with no `node` on PATH (a `node` there that fails and leaves a mark if run); their first
 * `pulumi up` downloads the plugin from the asset server by itself. Then preview (no changes),
 * refresh, destroy: every order the emulator made cancelled. Each phase's time is printed.
 * The Go program compiles the Pulumi Go SDK from the machine's build cache; the first run on a
 * machine compiles it (3-4 min on 2 cores) in the Go project's first `pulumi up`.
 */
const blocks = readmeBlocks();
const block = (kind: ReadmeBlock["kind"], name = "") => {
  const b = blocks.find((x) => x.kind === kind && x.name === name);
  assert.ok(b, `README.md has no <!-- readme-test: ${kind} ${name} --> block`);
  return b.text;
};
const projectFiles = (lang: string) =>
  blocks
    .filter((b) => b.kind === "project" && b.name.startsWith(`${lang}/`))
    .map((b) => ({ name: b.name.slice(lang.length + 1), text: b.text }));

const TOOLS = process.env.CLORE_TOOLS_DIR ?? "";
const VERDACCIO = join(TOOLS, "verdaccio/node_modules/verdaccio/bin/verdaccio");
const MACHINE_HOME = process.env.HOME ?? "";
/** The Go modules besides ours come from the machine's own proxy. */
const MACHINE_GOPROXY =
  process.env.GOPROXY && process.env.GOPROXY !== "off" ? process.env.GOPROXY : "https://proxy.golang.org,direct";
/**
 * The machine's module cache, a user's own: the Go build cache keys packages by their source
 * directory, so a fresh module cache would compile the Pulumi Go SDK anew on every run (3-4 min).
 */
const MACHINE_GOMODCACHE = process.env.GOMODCACHE ?? join(MACHINE_HOME, "go/pkg/mod");
const GO_MODULE = "github.com/pulumi-clore/pulumi-clore/sdk/go";
/** Removes this module's version from the machine's module cache: the user has never fetched it (and a past run's copy is not this build). */
function forgetGoModule(version: string) {
  for (const p of [
    join(MACHINE_GOMODCACHE, `${GO_MODULE}@v${version}`),
    join(MACHINE_GOMODCACHE, "cache/download", GO_MODULE, "@v"),
  ]) {
    if (!existsSync(p)) continue;
    execFileSync("chmod", ["-R", "u+w", p]);
    rmSync(p, { recursive: true, force: true });
  }
}

function phase(name: string, since: number) {
  console.log(`      registries: ${name} ${((Date.now() - since) / 1000).toFixed(1)} s`);
}

async function freePort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((done) => s.listen(0, "127.0.0.1", done));
  const { port } = s.address() as AddressInfo;
  await new Promise((done) => s.close(done));
  return port;
}

/** A child process that serves on `url`: started, and ready once `url` answers HTTP. */
async function serve(
  cmd: string,
  args: string[],
  url: string,
  env: NodeJS.ProcessEnv,
): Promise<{ child: ChildProcess; log: () => string }> {
  const child = spawn(cmd, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stdout!.on("data", (d) => (log += d));
  child.stderr!.on("data", (d) => (log += d));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${cmd} exited ${child.exitCode}:\n${log}`);
    const ok = await fetch(url).then(
      () => true,
      () => false,
    );
    if (ok) return { child, log: () => log };
    if (Date.now() > deadline) throw new Error(`${cmd} did not answer on ${url} within 60 s:\n${log}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A directory over HTTP (the module proxy's protocol is plain GETs of files), 404 for what is not there. */
async function dirServer(dir: string): Promise<{ server: Server; url: string; gets: string[] }> {
  const gets: string[] = [];
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    gets.push(path);
    const file = normalize(join(dir, path));
    if (!file.startsWith(`${dir}/`) || !existsSync(file) || !/[^/]$/.test(file)) {
      res.writeHead(404).end();
      return;
    }
    try {
      const body = readFileSync(file);
      res.writeHead(200, { "content-length": body.length }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, gets };
}

describe("install from the registries as the README says (npm, PyPI, Go proxy, release assets)", function () {
  this.timeout(600_000);
  const started = Date.now();
  let rel: Release;
  let root: string;
  let children: ChildProcess[] = [];
  let servers: Server[] = [];
  let npmRegistry: string;
  let pypiUrl: string;
  let goproxy: Awaited<ReturnType<typeof dirServer>>;
  let assets: Awaited<ReturnType<typeof assetServer>>;
  let nodeMarker: string;
  let pypiLog: () => string;
  let noNodeBin: string;

  before(async () => {
    assert.ok(TOOLS && existsSync(VERDACCIO), "Verdaccio is not in the tools dir: `. scripts/setup.sh` first");
    root = mkdtempSync(join(tmpdir(), "clore-registries-"));
    let t = Date.now();
    // Each part is its own scripts/release.sh run, which sets the checkout up first (npm ci
    // if the lockfile changed): the short one alone, then the two others at once.
    await release("sdk");
    [rel] = await Promise.all([release("npm"), release("plugin")]);
    phase("release built (npm, plugin linux-amd64, sdk)", t);

    t = Date.now();
    // Verdaccio: pulumi-clore only from what is published to it; everything else (its
    // dependencies, @pulumi/pulumi) from the machine's npm registry, as the real registry has them.
    const v = join(root, "verdaccio");
    mkdirSync(join(v, "storage"), { recursive: true });
    const upstream = (await run("npm", ["config", "get", "registry"], { cwd: root, env: process.env })).stdout.trim();
    writeFileSync(
      join(v, "config.yaml"),
      [
        `storage: ${join(v, "storage")}`,
        "auth:",
        `  htpasswd: { file: ${join(v, "htpasswd")}, max_users: 1 }`,
        `uplinks:\n  machine: { url: "${upstream}" }`,
        "packages:",
        "  pulumi-clore: { access: $all, publish: $authenticated }",
        "  '**': { access: $all, publish: $authenticated, proxy: machine }",
        "log: { type: stdout, format: pretty, level: warn }",
        "",
      ].join("\n"),
    );
    const npmPort = await freePort();
    npmRegistry = `http://127.0.0.1:${npmPort}/`;
    const pypiPort = await freePort();
    pypiUrl = `http://127.0.0.1:${pypiPort}`;
    const pkgs = join(root, "pypi");
    mkdirSync(pkgs);
    const [verdaccio, pypiserver] = await Promise.all([
      serve(
        process.execPath,
        [VERDACCIO, "--config", join(v, "config.yaml"), "--listen", `127.0.0.1:${npmPort}`],
        `${npmRegistry}-/ping`,
        process.env,
      ),
      // -a . -P .: uploads without authentication; a project it lacks redirects to PyPI (its
      // fallback); -v logs each request.
      serve(
        join(TOOLS, "bin/pypi-server"),
        ["run", "-v", "-i", "127.0.0.1", "-p", String(pypiPort), "-a", ".", "-P", ".", pkgs],
        `${pypiUrl}/simple/`,
        process.env,
      ),
    ]);
    children = [verdaccio.child, pypiserver.child];
    pypiLog = pypiserver.log;
    const proxyDir = join(root, "goproxy");
    const assetsDir = join(root, "assets");
    goproxy = await dirServer(proxyDir);
    assets = await assetServer({ ...rel, dir: assetsDir });
    servers = [goproxy.server, assets.server];
    phase("registries started (Verdaccio, pypiserver, module proxy, asset server)", t);

    t = Date.now();
    // A registry user for `npm publish` (npm adduser's request), its token in a .npmrc.
    const user = await fetch(`${npmRegistry}-/user/org.couchdb.user:clore-release`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "clore-release", password: "release-password-1" }),
    });
    const answer = await user.text();
    assert.equal(user.status, 201, answer);
    const { token } = JSON.parse(answer) as { token: string };
    const npmrc = join(root, "publish.npmrc");
    writeFileSync(npmrc, `//127.0.0.1:${npmPort}/:_authToken=${token}\n`);
    const publish = await run(
      "bash",
      [
        "scripts/publish.sh",
        "--tag",
        `v${rel.version}`,
        "--npm-registry",
        npmRegistry,
        "--pypi-url",
        `${pypiUrl}/`,
        "--goproxy-dir",
        proxyDir,
        "--assets-dir",
        assetsDir,
      ],
      {
        cwd: REPO,
        env: {
          ...process.env,
          CLORE_RELEASE_DIR: rel.dir,
          NPM_CONFIG_USERCONFIG: npmrc,
          TWINE_USERNAME: "clore",
          TWINE_PASSWORD: "unused",
        },
        timeoutMs: 180_000,
      },
    );
    assert.equal(publish.code, 0, `${publish.stdout}\n${publish.stderr}`);
    phase("published (npm publish, twine upload, module proxy, assets)", t);

    // Python, YAML and Go users have no Node.js: a `node` (and npm, npx) first on PATH that
    // leaves a mark and fails; the pulumi CLI and the language hosts of the toolchain.
    noNodeBin = join(root, "no-node-bin");
    mkdirSync(noNodeBin);
    nodeMarker = join(root, "node-was-run");
    for (const n of ["node", "npm", "npx"])
      writeFileSync(
        join(noNodeBin, n),
        `#!/bin/sh\necho "$0 $*" >> "${nodeMarker}"\necho "no node here" >&2\nexit 127\n`,
        {
          mode: 0o755,
        },
      );
    for (const tool of [
      "pulumi",
      "pulumi-language-python",
      "pulumi-language-python-exec",
      "pulumi-language-go",
      "pulumi-language-yaml",
    ])
      symlinkSync(join(TOOLS, "bin", tool), join(noNodeBin, tool));
    // The installs run at once (mostly waiting on registries); each language's lifecycle then runs alone.
    for (const [lang, make] of Object.entries(prepare)) {
      const t = Date.now();
      ready[lang] = make().then((p) => {
        phase(`${lang} install + stack`, t);
        return p;
      });
      ready[lang].catch(() => undefined); // reported by its own describe
    }
  });

  after(async () => {
    for (const c of children) c.kill();
    for (const s of servers) s.close();
    if (root) rmSync(root, { recursive: true, force: true });
    phase("total", started);
  });

  /**
   * A new user's shell for `lang`: this machine's environment (its certificate settings and
   * tools) without anything of this repository or its toolchain's defaults, a fresh HOME,
   * the registry variables the README names, the emulator's key as CLORE_API_KEY.
   */
  function userEnv(lang: string, home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    const dropped = /^(CLORE_|npm_|NPM_|PULUMI_|PIP_INDEX|PIP_EXTRA|GO|VIRTUAL_ENV$|NODE_PATH$|NODE_OPTIONS$)/;
    const machine = Object.fromEntries(Object.entries(process.env).filter(([k]) => !dropped.test(k)));
    const machinePath = (process.env.PATH ?? "")
      .split(delimiter)
      .filter((p) => !p.startsWith(REPO) && !p.startsWith(TOOLS));
    const toolchain = [join(TOOLS, "bin"), join(TOOLS, "node/bin")];
    return {
      ...machine,
      PATH: [...(lang === "typescript" ? toolchain : [noNodeBin]), ...machinePath].join(delimiter),
      HOME: home,
      // Pulumi takes `~` (its home ~/.pulumi, and `pulumi login --local`'s file://~) from the
      // account's passwd entry, not $HOME: Pulumi's own variables put both in the fresh home
      // (the README names PULUMI_BACKEND_URL as the backend's alternative to `pulumi login`).
      PULUMI_HOME: join(home, ".pulumi"),
      PULUMI_BACKEND_URL: `file://${home}`,
      // The machine's download caches (a user's own), not its configuration.
      npm_config_cache: join(MACHINE_HOME, ".npm"),
      npm_config_update_notifier: "false",
      PIP_CACHE_DIR: join(MACHINE_HOME, ".cache/pip"),
      GOCACHE: process.env.GOCACHE ?? join(MACHINE_HOME, ".cache/go-build"),
      GOFLAGS: "-buildvcs=false",
      GOTOOLCHAIN: "local",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_CONFIG_PASSPHRASE: "registries-passphrase",
      // The registries, through the variables the README names.
      NPM_CONFIG_REGISTRY: npmRegistry,
      PIP_INDEX_URL: `${pypiUrl}/simple/`,
      GOPROXY: `${goproxy.url},${MACHINE_GOPROXY}`,
      GONOSUMDB: "github.com/pulumi-clore",
      PULUMI_PLUGIN_DOWNLOAD_URL_OVERRIDES: `^${PLUGIN_DOWNLOAD_URL.replace(/[.]/g, "\\.")}$=${assets.url}/v\${VERSION}`,
      ...FAST_ENV,
      ...extra,
    };
  }

  interface UserProject {
    dir: string;
    home: string;
    emu: Emulator;
    /** A shell script in the project directory, as the user's terminal runs it (`prelude` first: e.g. an activated venv). */
    sh(script: string): Promise<RunResult>;
    pulumi(args: string): Promise<RunResult>;
  }

  /** An empty project directory with a fresh HOME, and an emulator of its own. */
  async function userProject(lang: string, extra: NodeJS.ProcessEnv = {}, prelude = ""): Promise<UserProject> {
    const base = join(root, lang);
    const dir = join(base, `gpu-${lang}`);
    const home = join(base, "home");
    mkdirSync(dir, { recursive: true });
    mkdirSync(home);
    const emu = await startFastEmulator({});
    const env = () => userEnv(lang, home, { CLORE_API_KEY: emu.apiKey, ...extra });
    const sh = async (script: string) => {
      const r = await run("bash", ["-euo", "pipefail", "-c", `${prelude}${script}`], {
        cwd: dir,
        env: env(),
        timeoutMs: 400_000,
      });
      assert.equal(r.code, 0, `${script}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
      return r;
    };
    return { dir, home, emu, sh, pulumi: (args) => sh(`pulumi ${args} --non-interactive --color=never`) };
  }

  /** The README's stack block, then the one addition: clore:baseUrl at the emulator. */
  async function stack(p: UserProject, text = block("stack")) {
    await p.sh(text);
    await p.pulumi(`config set clore:baseUrl ${p.emu.url}`);
  }

  /** up (the plugin downloaded by itself unless `dynamic`), preview with no changes, refresh, destroy: 0 orders left. */
  function lifecycle(lang: string, get: () => UserProject, opts: { dynamic?: boolean } = {}) {
    it(`${lang}: pulumi up rents the order${opts.dynamic ? "" : ", downloading the plugin from the release assets by itself"}`, async () => {
      const p = get();
      const t = Date.now();
      const gets = assets.gets.length;
      await p.pulumi("up --yes --skip-preview");
      phase(`${lang} up`, t);
      const out = JSON.parse((await p.pulumi("stack output --json --show-secrets")).stdout) as {
        ssh: string;
        server: number;
      };
      assert.match(out.ssh, /^ssh root@127\.0\.0\.1 -p \d+$/);
      assert.deepEqual(
        p.emu.activeOrders().map((o) => o.serverId),
        [out.server],
      );
      if (!opts.dynamic) {
        assert.deepEqual(assets.gets.slice(gets), [
          `/v${rel.version}/pulumi-resource-clore-v${rel.version}-linux-amd64.tar.gz`,
        ]);
        assert.ok(
          existsSync(join(p.home, ".pulumi/plugins", `resource-clore-v${rel.version}`, "pulumi-resource-clore")),
        );
      }
    });
    it(`${lang}: preview shows no changes and refresh finds the order as it is`, async () => {
      const p = get();
      const t = Date.now();
      await p.pulumi("preview --expect-no-changes");
      await p.pulumi("refresh --yes --skip-preview --expect-no-changes");
      phase(`${lang} preview + refresh`, t);
      assert.equal(p.emu.activeOrders().length, 1);
    });
    it(`${lang}: destroy cancels every order it made${opts.dynamic ? "" : ", and no node ever ran"}`, async () => {
      const p = get();
      const t = Date.now();
      await p.pulumi("destroy --yes --skip-preview");
      phase(`${lang} destroy`, t);
      assert.deepEqual(p.emu.activeOrders(), []);
      assert.ok(p.emu.allOrders().length >= 1);
      accountFor(p.emu.allOrders(), []);
      assert.deepEqual(
        p.emu.requests.filter((r) => r.apiCode === 5 || r.httpStatus === 429),
        [],
        "rate-limited requests",
      );
      await p.emu.close();
      if (!opts.dynamic)
        assert.equal(existsSync(nodeMarker) ? readFileSync(nodeMarker, "utf8") : "", "", "something ran `node`");
    });
  }

  /** Each language's project as the README sets it up: files, install, stack. */
  const prepare: Record<string, () => Promise<UserProject>> = {
    async python() {
      // The README's terminal: the venv stays activated for every later command.
      const p = await userProject("python", {}, "[ ! -f venv/bin/activate ] || . venv/bin/activate\n");
      for (const f of projectFiles("python")) writeFileSync(join(p.dir, f.name), f.text);
      const install = await p.sh(block("install", "python"));
      assert.match(
        install.stdout,
        new RegExp(`pulumi_clore-${rel.version.replace(/\./g, "\\.")}-py3-none-any\\.whl`),
        install.stdout,
      );
      assert.match(
        pypiLog(),
        new RegExp(`"GET /packages/pulumi_clore-${rel.version.replace(/\./g, "\\.")}-py3-none-any\\.whl`),
      );
      await stack(p);
      return p;
    },
    async go() {
      forgetGoModule(rel.version);
      const p = await userProject("go", { GOMODCACHE: MACHINE_GOMODCACHE });
      for (const f of projectFiles("go")) writeFileSync(join(p.dir, f.name), f.text);
      await p.sh(block("install", "go"));
      assert.match(
        readFileSync(join(p.dir, "go.sum"), "utf8"),
        new RegExp(`^github\\.com/pulumi-clore/pulumi-clore/sdk/go v${rel.version} h1:`, "m"),
      );
      assert.ok(
        goproxy.gets.some((g) => g.endsWith(`/@v/v${rel.version}.zip`)),
        goproxy.gets.join("\n"),
      );
      await stack(p);
      return p;
    },
    async yaml() {
      const p = await userProject("yaml");
      for (const f of projectFiles("yaml")) writeFileSync(join(p.dir, f.name), f.text);
      await stack(p);
      return p;
    },
    async typescript() {
      const p = await userProject("typescript", { HF_TOKEN: "hf_registriesToken" });
      // Start a project's files, program and stack commands; the package from the registry.
      for (const f of blocks.filter((b) => b.kind === "file")) writeFileSync(join(p.dir, f.name), f.text);
      writeFileSync(join(p.dir, "index.ts"), block("program", "index.ts"));
      await p.sh(block("install", "typescript"));
      const lock = JSON.parse(readFileSync(join(p.dir, "package-lock.json"), "utf8"));
      assert.equal(lock.packages["node_modules/pulumi-clore"].version, rel.version);
      assert.equal(
        lock.packages["node_modules/pulumi-clore"].resolved,
        `${npmRegistry}pulumi-clore/-/pulumi-clore-${rel.version}.tgz`,
      );
      await stack(p, blocks.filter((b) => b.kind === "setup")[1]!.text);
      return p;
    },
  };
  const ready: Record<string, Promise<UserProject>> = {};

  for (const [lang, title] of [
    ["python", "Python: pip install pulumi-clore from the index"],
    ["go", "Go: go get the SDK through the module proxy"],
    ["yaml", "YAML: nothing to install"],
    ["typescript", "TypeScript: npm install pulumi-clore from the registry"],
  ] as const) {
    describe(title, () => {
      let p: UserProject;
      before(async () => {
        p = await ready[lang]!;
      });
      if (lang === "go") after(() => forgetGoModule(rel.version));
      lifecycle(lang, () => p, { dynamic: lang === "typescript" });
    });
  }
});
