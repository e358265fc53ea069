import { randomBytes } from "node:crypto";
import { type Emulator, type ServerRecord, type StartEmulatorOptions, startEmulator } from "pulumi-clore/emulator";

/** First id of the servers the bench adds (the seed has only nine rentable ones). */
export const BENCH_SERVER_BASE = 90_001;

/**
 * An emulator at the real rate limits (timeScale 1: 1 request/s, 1 create/5 s per key)
 * with a short, fixed boot delay (boot time is excluded from every target), `servers`
 * extra rentable servers at 1 USD/day and a wallet that covers them all.
 *
 * Each emulator gets its own random key, so its rate-limit ledger file is never shared
 * with another run (or with a test suite using the demo key) on this machine.
 */
export async function startBenchEmulator(
  label: string,
  options: StartEmulatorOptions = {},
  servers = 120,
): Promise<Emulator> {
  const emu = await startEmulator({
    port: 0,
    timeScale: 1,
    bootDelayMs: 2000,
    apiKey: `bench-${label}-${randomBytes(6).toString("hex")}`,
    ...options,
  });
  addServers(emu, servers);
  emu.state.setWalletBalance("USD-Blockchain", 1_000_000);
  return emu;
}

export function benchServerIds(n: number): number[] {
  return Array.from({ length: n }, (_, i) => BENCH_SERVER_BASE + i);
}

function addServers(emu: Emulator, n: number): void {
  const template = emu.state.servers.get(60102);
  if (!template) throw new Error("emulator seed changed: server 60102 (the bench's template) is gone");
  for (const id of benchServerIds(n)) {
    const server: ServerRecord = {
      ...template,
      id,
      owner: 8000 + (id % 100),
      online: true,
      mrl: 720,
      onDemand: { bitcoin: 0.0000105, "CLORE-Blockchain": 400, "USD-Blockchain": 1 },
      spotMin: { bitcoin: 0.000008, "CLORE-Blockchain": 300, "USD-Blockchain": 0.75 },
      allowedCoins: ["bitcoin", "CLORE-Blockchain", "USD-Blockchain"],
      autoprice: {},
      usdPricing: {},
      rentedByOthers: false,
      foreignOffers: [],
      gigaspot: false,
    };
    emu.state.servers.set(id, server);
  }
}

/** API calls an operation made, from the emulator's request log. */
export interface CallCount {
  calls: number;
  rateLimited: number;
  writes: number;
  byEndpoint: Record<string, number>;
  /** Real ms from the first to the last request (0 for fewer than two). */
  spanMs: number;
  /** Smallest real ms between two consecutive arrivals (how close the client cut it). */
  minGapMs?: number;
}

export function countSince(emu: Emulator, from: number): CallCount {
  const log = emu.requests.slice(from);
  const byEndpoint: Record<string, number> = {};
  for (const r of log) byEndpoint[r.endpoint] = (byEndpoint[r.endpoint] ?? 0) + 1;
  return {
    calls: log.length,
    rateLimited: log.filter((r) => r.httpStatus === 429).length,
    writes: log.filter((r) => r.method === "POST").length,
    byEndpoint,
    spanMs: log.length > 1 ? log[log.length - 1]!.realTime - log[0]!.realTime : 0,
    minGapMs: log.length > 1 ? Math.min(...log.slice(1).map((r, i) => r.realTime - log[i]!.realTime)) : undefined,
  };
}
