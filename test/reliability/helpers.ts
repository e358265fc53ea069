// Shared by the reliability specs: a fast emulator, a stack of the reliability test program,
// and the one invariant every fault scenario ends with — no order billing unknown.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { type Emulator, type EmulatorOrder, type StartEmulatorOptions, startEmulator } from "../../provider/emulator";
import { CloreClient, FakeClock, RateLimiter, isPendingOrder, parsePendingHandle } from "../../provider/sdk";
import {
  FAST_EMULATOR,
  FAST_ENV,
  ORDER_TYPE,
  REPO,
  type RunResult,
  type TestStack,
  createStack,
  resourcesOfType,
} from "../pulumi/harness";
import { runChild } from "../helpers/child";

export { FAST_ENV };

export const PROGRAM = join(REPO, "test/pulumi/programs/reliability");
export const CLI_MAIN = join(REPO, "dist/provider/cli/main.js");

/** Seed servers that accept USD-Blockchain, are online and free (provider/emulator/seed-data.ts). */
export const USD_SERVERS = [60101, 60103, 52211, 38811, 40329] as const;
/** Accepts only CLORE-Blockchain. */
export const CLORE_ONLY_SERVER = 60102;
/** Listed as rented by another account. */
export const RENTED_BY_OTHERS = 52210;

/** Orders boot at once unless a test is about booting, so an `up` does not sit in the ready wait. */
export function startFastEmulator(opts: StartEmulatorOptions = {}): Promise<Emulator> {
  return startEmulator({ ...FAST_EMULATOR, bootDelayMs: 0, ...opts });
}

/** A stack of the reliability program pointed at `emu` with its key (a secret) and `config`. */
export async function reliabilityStack(
  emu: Emulator,
  config: Record<string, string> = {},
  env: NodeJS.ProcessEnv = {},
): Promise<TestStack> {
  const stack = await createStack(PROGRAM, { ...FAST_ENV, ...env });
  await stack.setConfig("clore:apiKey", emu.apiKey, true);
  await setConfig(stack, { "clore:baseUrl": emu.url, ...config });
  return stack;
}

/** Plain (non-secret) config values in one `pulumi config set-all`. */
export async function setConfig(stack: TestStack, values: Record<string, string>): Promise<void> {
  const entries = Object.entries(values);
  if (!entries.length) return;
  await stack.pulumi(["config", "set-all", ...entries.flatMap(([k, v]) => ["--plaintext", `${k}=${v}`])]);
}

export async function removeConfig(stack: TestStack, keys: string[]): Promise<void> {
  if (keys.length) await stack.pulumi(["config", "rm-all", ...keys]);
}

/** `pulumi up` that may fail; the result carries both streams for assertions. */
export function tryUp(stack: TestStack, extra: string[] = []): Promise<RunResult> {
  return stack.pulumi(["up", "--yes", "--skip-preview", ...extra], { allowFail: true });
}

export function output(r: RunResult): string {
  return `${r.stdout}\n${r.stderr}`;
}

/**
 * Ids of the order resources in the stack's state (real ids and `pending:` handles); `type`
 * is the dynamic provider's by default, "clore:index:Order" on the plugin path.
 */
export async function orderIdsInState(stack: TestStack, type = ORDER_TYPE): Promise<string[]> {
  const { json } = await stack.exportState();
  return resourcesOfType(json, type).map((r) => String(r.id));
}

/** How one order the emulator created is accounted for. */
export type Accounted = "in state" | "pending handle in state" | "cancelled" | "ended outside Pulumi";

/**
 * The invariant of every fault scenario: each order the emulator ever created is in the
 * stack's state (by id, or by a `pending:<serverId>:<since>` handle that refresh and destroy
 * resolve), or it has been cancelled. `endedOutside` lists orders the test itself ended
 * (host ended it, outbid): those stopped billing without us.
 */
export function accountFor(
  orders: EmulatorOrder[],
  stateIds: Iterable<string>,
  endedOutside: Iterable<number> = [],
): Map<number, Accounted> {
  const ids = new Set(stateIds);
  const outside = new Set(endedOutside);
  const pending = [...ids].flatMap((id) => parsePendingHandle(id) ?? []);
  const result = new Map<number, Accounted>();
  const lost: string[] = [];
  for (const o of orders) {
    if (ids.has(String(o.id))) result.set(o.id, "in state");
    else if (o.state === "active" && pending.some((p) => isPendingOrder(p, o)))
      result.set(o.id, "pending handle in state");
    else if (o.state === "cancelled") result.set(o.id, "cancelled");
    else if (outside.has(o.id) && o.state !== "active") result.set(o.id, "ended outside Pulumi");
    else lost.push(`order ${o.id} on server ${o.serverId} (${o.state}${o.endReason ? `, ${o.endReason}` : ""})`);
  }
  assert.deepEqual(
    lost,
    [],
    `orders neither in the stack's state nor cancelled (state ids: ${[...ids].join(", ") || "none"})`,
  );
  return result;
}

/** `accountFor` against a stack's exported state (orders of `type`, see orderIdsInState). */
export async function assertEveryOrderAccountedFor(
  emu: Emulator,
  stack: TestStack,
  opts: { endedOutside?: number[]; type?: string } = {},
): Promise<Map<number, Accounted>> {
  return accountFor(emu.allOrders(), await orderIdsInState(stack, opts.type), opts.endedOutside);
}

/** Requests the emulator logged for `endpoint` since index `from` of its log. */
export function requestsTo(emu: Emulator, endpoint: string, from = 0) {
  return emu.requests.slice(from).filter((r) => r.endpoint === endpoint);
}

/**
 * An SDK client for in-process scenarios. By default it paces itself like the plugin does
 * against the fast emulator; with `fakeClock` every wait (limiter, backoff, the 60 s search
 * for a new order) passes instantly, so the emulator's own rate limits must be off.
 */
export function sdkClient(emu: Emulator, opts: { fakeClock?: boolean; apiKey?: string } = {}): CloreClient {
  const clock = opts.fakeClock ? new FakeClock(Date.now()) : undefined;
  return new CloreClient({
    apiKey: opts.apiKey ?? emu.apiKey,
    baseUrl: emu.url,
    env: {},
    configPath: "/nonexistent/clore-config.json",
    clock,
    rateLimiter: new RateLimiter({ clock, limits: { minIntervalMs: 100, createIntervalMs: 400 } }),
  });
}

/** Run the built CLI against `emu` (key and base URL in the environment, like a user). */
export async function clore(emu: Emulator, args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  const r = await runChild(process.execPath, [CLI_MAIN, ...args], {
    env: {
      PATH: process.env.PATH ?? "",
      HOME: env.HOME ?? "/nonexistent",
      CLORE_API_KEY: emu.apiKey,
      CLORE_BASE_URL: emu.url,
      CLORE_MIN_INTERVAL_MS: "100",
      CLORE_CREATE_INTERVAL_MS: "400",
      CLORE_RATE_LIMIT_SHARED: "0",
      ...env,
    },
  });
  return { ...r, code: r.code ?? -1 };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll `cond` every 50 ms until it holds or `timeoutMs` passes. */
export async function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

/**
 * Start `pulumi up` in its own process group and SIGKILL it (and every plugin it started)
 * once the emulator holds an order, while that order is still booting: a crashed machine or
 * CI runner mid-create. Returns the order, booted since.
 */
export async function killUpMidCreate(emu: Emulator, stack: TestStack): Promise<EmulatorOrder> {
  emu.options.bootDelayMs = 3_600_000; // the up sits in the ready wait
  const child = spawn("pulumi", ["up", "--yes", "--skip-preview", "--non-interactive", "--color=never"], {
    cwd: stack.dir,
    env: stack.env,
    detached: true,
    stdio: ["ignore", "ignore", "ignore"],
  });
  const exited = new Promise((resolve) => child.on("close", resolve));
  try {
    await waitFor(() => emu.allOrders().length === 1, 60_000, "the order to be created");
    await sleep(300);
  } finally {
    // Pulumi's group, then the plugins in their own groups.
    const tree = processTree(child.pid!);
    process.kill(-child.pid!, "SIGKILL");
    for (const pid of tree) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Already gone with the group.
      }
    }
    await exited;
  }
  emu.options.bootDelayMs = 0;
  emu.advance(3_600_000); // let the orphaned order finish booting
  const [order] = emu.allOrders();
  assert.equal(order!.state, "active");
  return order!;
}

/**
 * `root` and all its descendants (Linux /proc), children first in the list after `root`.
 * Pulumi starts each plugin in a process group of its own, so killing pulumi's group leaves
 * the language host and the provider plugin running: collect the tree before killing.
 */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // The process exited while we looked.
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]!) ?? []));
  return tree;
}
