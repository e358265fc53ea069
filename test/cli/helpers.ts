// Shared by the CLI specs: build the CLI once, run it as a child process, and give each
// suite its own emulator, HOME and SDK client.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CloreClient, RateLimiter, type CreateOrderParams, type Order } from "../../provider/sdk";
import { startEmulator, type Emulator } from "../../provider/emulator";
import { REPO, ensureBuilt } from "../helpers/build";
import { runChild } from "../helpers/child";

export { REPO, ensureBuilt };
export const CLI_MAIN = join(REPO, "dist", "provider", "cli", "main.js");

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Environment on top of a minimal one (PATH, HOME); no CLORE_* is inherited. */
  env?: Record<string, string | undefined>;
  input?: string;
}

/**
 * Run the built CLI. Asynchronous on purpose: the emulator lives in this process and must
 * keep answering while the child waits for it.
 */
export function clore(args: string[], options: CliOptions = {}): Promise<CliRun> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? "" };
  for (const [k, v] of Object.entries(options.env ?? {})) if (v !== undefined) env[k] = v;
  return runChild(process.execPath, [CLI_MAIN, ...args], { env, input: options.input });
}

/** One emulator, HOME and environment for a suite. */
export class CliHarness {
  emu!: Emulator;
  home!: string;
  #client?: CloreClient;

  async start(): Promise<void> {
    await ensureBuilt();
    this.emu = await startEmulator({ port: 0, timeScale: 0.01 });
    this.home = mkdtempSync(join(tmpdir(), "clore-cli-home-"));
  }

  async stop(): Promise<void> {
    await this.#client?.close();
    await this.emu?.close();
    if (this.home) rmSync(this.home, { recursive: true, force: true });
  }

  /**
   * Environment pointing the CLI at the emulator with a valid key. The SDK's limits and
   * retry backoff are scaled like the emulator's (timeScale 0.01: 1 s → 10 ms, 5 s → 50 ms);
   * its cross-process ledger lives under this suite's HOME.
   */
  get env(): Record<string, string> {
    return {
      HOME: this.home,
      CLORE_API_KEY: this.emu.apiKey,
      CLORE_BASE_URL: this.emu.url,
      CLORE_MIN_INTERVAL_MS: "10",
      CLORE_CREATE_INTERVAL_MS: "50",
      CLORE_BACKOFF_MS: "10",
    };
  }

  run(args: string[], options: CliOptions = {}): Promise<CliRun> {
    return clore(args, { ...options, env: { ...this.env, ...options.env } });
  }

  /**
   * How many `endpoint` requests the API acted on. At test speed the SDK's spacing has no
   * margin over the emulator's, so an occasional 429 (retried by the SDK) is expected and
   * is not a second request a user would see acted on.
   */
  acted(endpoint: string): number {
    return this.emu.requests.filter((x) => x.endpoint === endpoint && x.httpStatus !== 429).length;
  }

  /** Run with --json and parse stdout (which must hold nothing else). */
  async json(args: string[], options: CliOptions = {}): Promise<{ run: CliRun; doc: any }> {
    const run = await this.run([...args, "--json"], options);
    let doc: unknown;
    try {
      doc = JSON.parse(run.stdout);
    } catch {
      throw new Error(`stdout is not one JSON document (exit ${run.code}):\n${run.stdout}\nstderr:\n${run.stderr}`);
    }
    return { run, doc };
  }

  /** One SDK client for setting up state "outside" the CLI, with test-speed rate limits. */
  client(): CloreClient {
    return (this.#client ??= new CloreClient({
      apiKey: this.emu.apiKey,
      baseUrl: this.emu.url,
      env: {},
      configPath: join(this.home, "no-config.json"),
      rateLimiter: new RateLimiter({ limits: { minIntervalMs: 20, createIntervalMs: 60 } }),
    }));
  }

  /** Ids of servers the emulator will rent now for `currency`: online, free, cheapest first. */
  rentable(currency: string = "USD-Blockchain", kind: "on_demand" | "spot" = "on_demand"): number[] {
    const st = this.emu.state;
    return st
      .marketplaceServers()
      .filter((s) => s.online && !s.gigaspot && !st.isRented(s) && (s.allowedCoins as string[]).includes(currency))
      .filter((s) => typeof (kind === "spot" ? s.spotMin : s.onDemand)[currency] === "number")
      .sort((a, b) => (a.onDemand[currency] ?? 0) - (b.onDemand[currency] ?? 0) || a.id - b.id)
      .map((s) => s.id);
  }

  /** Rent `count` servers with the SDK (outside the CLI), cheapest first. */
  async rent(count: number, params: Partial<CreateOrderParams> = {}): Promise<Order[]> {
    const currency = params.currency ?? "USD-Blockchain";
    const spot = params.type === "spot";
    const ids = this.rentable(currency, spot ? "spot" : "on_demand").slice(0, count);
    if (ids.length < count) throw new Error(`only ${ids.length} servers are free to rent, need ${count}`);
    const orders: Order[] = [];
    for (const serverId of ids) {
      const min = this.emu.state.marketplaceServers().find((s) => s.id === serverId)!.spotMin[currency] ?? 1;
      const spotPrice = spot ? (params.spotPrice ?? min * 1.1) : undefined;
      const order = {
        serverId,
        image: "cloreai/ubuntu22.04-cuda12",
        type: "on-demand",
        currency,
        ...params,
        ...(spot ? { spotPrice } : {}),
      };
      orders.push(await this.client().createOrder(order as CreateOrderParams));
    }
    return orders;
  }

  /**
   * Stop the emulator's clock (and its rate limits, which run on it) so two reads of a
   * running order agree to the last digit of `spend`.
   */
  async frozen<T>(fn: () => Promise<T>): Promise<T> {
    const { timeScale, rateLimit } = this.emu.options;
    this.emu.options.timeScale = 1e9;
    this.emu.options.rateLimit = false;
    try {
      return await fn();
    } finally {
      this.emu.options.timeScale = timeScale;
      this.emu.options.rateLimit = rateLimit;
    }
  }
}

/** JSON round trip: what the CLI would print for an SDK value. */
export function asJson<T>(value: T): unknown {
  return JSON.parse(JSON.stringify(value));
}

/** Column headers of a rendered table (first line of stdout, split on 2+ spaces). */
export function tableHeader(stdout: string): string[] {
  return stdout
    .split("\n")[0]
    .trim()
    .split(/\s{2,}/);
}

/** Rows of the first table in stdout (lines after the header up to the first blank line). */
export function tableRows(stdout: string, from = 0): string[][] {
  const lines = stdout.split("\n").slice(from);
  const end = lines.indexOf("", 1);
  return lines.slice(1, end === -1 ? undefined : end).map((l) => l.trim().split(/\s{2,}/));
}
