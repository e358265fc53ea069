import { cpSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { type Emulator, type StartEmulatorOptions, startEmulator } from "../../provider/emulator";
import { REPO, ensureBuilt } from "../helpers/build";
import { runChild } from "../helpers/child";
import { scratchDir } from "../helpers/scratch-dir";

/**
 * Runs the real `pulumi` CLI (built by scripts/install-tools.sh, on PATH via scripts/env.sh)
 * against a temporary file backend. Programs are copied under <repo>/.tmp so they resolve
 * @pulumi/pulumi and pulumi-clore (dist/, rebuilt first if stale) from the repo's node_modules.
 */
export { REPO };

/**
 * The emulator runs 20x faster than the API (timeScale 0.05); the SDK in the program and the
 * plugin is told to pace itself (and retry) to match. A create whose order cannot be found
 * gives up after 8 s, not 60 s.
 */
export const FAST_ENV = {
  CLORE_MIN_INTERVAL_MS: "100",
  CLORE_CREATE_INTERVAL_MS: "400",
  CLORE_FIND_TIMEOUT_MS: "8000",
  CLORE_BACKOFF_MS: "50",
};
export const FAST_EMULATOR: StartEmulatorOptions = { port: 0, timeScale: 0.05 };

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface TestStack {
  dir: string;
  env: NodeJS.ProcessEnv;
  pulumi(args: string[], opts?: { input?: string; allowFail?: boolean; env?: NodeJS.ProcessEnv }): Promise<RunResult>;
  setConfig(key: string, value: string, secret?: boolean): Promise<void>;
  up(extra?: string[]): Promise<RunResult>;
  preview(extra?: string[]): Promise<RunResult>;
  refresh(extra?: string[]): Promise<RunResult>;
  destroy(extra?: string[]): Promise<RunResult>;
  outputs(): Promise<Record<string, unknown>>;
  exportState(): Promise<{ text: string; json: StackExport }>;
  cleanup(): void;
}

export interface StackExport {
  deployment: {
    resources?: Array<{
      urn: string;
      type: string;
      id?: string;
      outputs?: Record<string, unknown>;
      inputs?: Record<string, unknown>;
      initErrors?: string[];
    }>;
  };
}

export async function run(
  cmd: string,
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; input?: string; timeoutMs?: number },
): Promise<RunResult> {
  const r = await runChild(cmd, args, { ...opts, timeoutMs: opts.timeoutMs ?? 240_000 });
  return { ...r, code: r.code ?? -1 };
}

/** A fresh stack of a copy of `programDir`, with its own file backend. */
export async function createStack(programDir: string, env: NodeJS.ProcessEnv = {}): Promise<TestStack> {
  await ensureBuilt();
  const root = scratchDir("stack");
  const dir = join(root, "program");
  cpSync(programDir, dir, { recursive: true });
  const backend = join(root, "backend");
  mkdirSync(backend);
  const fullEnv: NodeJS.ProcessEnv = {
    ...process.env,
    PULUMI_BACKEND_URL: `file://${backend}`,
    PULUMI_CONFIG_PASSPHRASE: "test-passphrase",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_NODEJS_TRANSPILE_ONLY: "true",
    CLORE_CACHE_DIR: join(root, "cache"),
    // Keys come from stack config in these tests, never from the environment.
    CLORE_API_KEY: "",
    HOME: root,
    ...env,
  };
  const pulumi: TestStack["pulumi"] = async (args, opts = {}) => {
    const r = await run("pulumi", [...args, "--non-interactive", "--color=never"], {
      cwd: dir,
      env: { ...fullEnv, ...opts.env },
      input: opts.input,
    });
    if (r.code !== 0 && !opts.allowFail) {
      throw new Error(`pulumi ${args.join(" ")} exited ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
    }
    return r;
  };
  await pulumi(["stack", "init", "test"]);
  const stack: TestStack = {
    dir,
    env: fullEnv,
    pulumi,
    async setConfig(key, value, secret = false) {
      // The value goes through stdin, so it never shows in a process list.
      await pulumi(["config", "set", ...(secret ? ["--secret"] : []), key], { input: value });
    },
    up: (extra = []) => pulumi(["up", "--yes", "--skip-preview", ...extra]),
    preview: (extra = []) => pulumi(["preview", "--diff", ...extra]),
    refresh: (extra = []) => pulumi(["refresh", "--yes", "--skip-preview", ...extra]),
    destroy: (extra = []) => pulumi(["destroy", "--yes", "--skip-preview", ...extra]),
    async outputs() {
      const r = await pulumi(["stack", "output", "--json", "--show-secrets"]);
      return JSON.parse(r.stdout || "{}");
    },
    async exportState() {
      const r = await pulumi(["stack", "export"]);
      return { text: r.stdout, json: JSON.parse(r.stdout) as StackExport };
    },
    cleanup() {
      rmSync(root, { recursive: true, force: true });
    },
  };
  return stack;
}

/** Resources of a type in an exported state, e.g. "pulumi-nodejs:dynamic/clore:Order". */
export function resourcesOfType(state: StackExport, type: string) {
  return (state.deployment.resources ?? []).filter((r) => r.type === type);
}

export const ORDER_TYPE = "pulumi-nodejs:dynamic/clore:Order";

export interface EmulatorStackOptions {
  emulator?: StartEmulatorOptions;
  env?: NodeJS.ProcessEnv;
  /** Plain stack config; `clore:baseUrl` and the secret `clore:apiKey` are set already. */
  config?: Record<string, string>;
  secrets?: Record<string, string>;
}

export interface EmulatorStack {
  emu: Emulator;
  stack: TestStack;
  /** Destroy what is left, remove the stack's files, stop the emulator. */
  close(): Promise<void>;
}

/** A fresh emulator and a stack of `program` pointed at it: the set-up of every end-to-end spec. */
export async function emulatorStack(program: string, o: EmulatorStackOptions = {}): Promise<EmulatorStack> {
  const emu = await startEmulator({ ...FAST_EMULATOR, ...o.emulator });
  const stack = await createStack(program, { ...FAST_ENV, ...o.env });
  await stack.setConfig("clore:apiKey", emu.apiKey, true);
  const plain = { "clore:baseUrl": emu.url, ...o.config };
  await stack.pulumi(["config", "set-all", ...Object.entries(plain).flatMap(([k, v]) => ["--plaintext", `${k}=${v}`])]);
  for (const [k, v] of Object.entries(o.secrets ?? {})) await stack.setConfig(k, v, true);
  return {
    emu,
    stack,
    async close() {
      await stack.destroy().catch(() => undefined);
      stack.cleanup();
      await emu.close();
    },
  };
}

/**
 * Mocha hooks that make an emulator stack before the suite (or each test, `perTest`) and
 * close it after. Read `.emu` and `.stack` inside the tests.
 */
export function useEmulatorStack(
  program: string,
  o: EmulatorStackOptions & { perTest?: boolean } = {},
): { readonly emu: Emulator; readonly stack: TestStack } {
  let current: EmulatorStack | undefined;
  (o.perTest ? beforeEach : before)(async () => {
    current = await emulatorStack(program, o);
  });
  (o.perTest ? afterEach : after)(async function () {
    if (current && this.currentTest?.state === "failed") printEmulator(current.emu);
    await current?.close();
    current = undefined;
  });
  return {
    get emu() {
      return current!.emu;
    },
    get stack() {
      return current!.stack;
    },
  };
}

/** What the emulator saw, printed when a test fails: its orders and its last requests. */
export function printEmulator(emu: Emulator): void {
  const orders = emu
    .allOrders()
    .map(
      (o) =>
        `  order ${o.id} on ${o.serverId}: ${o.state}${o.online ? ", online" : ""}${o.bootError ? `, boot failed: ${o.bootError}` : ""}`,
    );
  const requests = emu.requests
    .slice(-15)
    .map((r) => `  ${r.endpoint} → HTTP ${r.httpStatus} code ${r.apiCode}${r.fault ? ` (fault ${r.fault})` : ""}`);
  console.error(["emulator orders:", ...orders, "last requests:", ...requests].join("\n"));
}
