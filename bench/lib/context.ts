import { mkdirSync, mkdtempSync } from "node:fs";
import { join } from "node:path";
import type { Emulator } from "pulumi-clore/emulator";
import { REPO, type TestStack, createStack } from "../../test/pulumi/harness";
import { type CallCount, benchServerIds, countSince } from "./emulators";
import { runOk, runTimed } from "./processes";
import type { ProcessPeak } from "./rss";
import type { Row } from "./table";

/** The work tree; REPO is the snapshot run.sh made of it (dist, node_modules, bench, test/pulumi). */
export const WORK_TREE = process.env.BENCH_REPO || REPO;
export const BENCH = join(REPO, "bench");
const PYTHON = join(WORK_TREE, ".venv/bin/python");
/** Boot delay of every emulated order (excluded from the targets). */
export const BOOT_MS = 2000;
/** The real limits (docs/api-notes.md §3). */
export const GENERAL_S = 1;
export const CREATE_S = 5;

mkdirSync(join(REPO, ".tmp"), { recursive: true });
/** Scratch for this run: ledgers, the naive script's order ids. */
export const tmp = mkdtempSync(join(REPO, ".tmp", "bench-"));

export const rows: Row[] = [];
export const details: string[] = [];

export function log(msg: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

/** Each row also goes to stderr as soon as it is measured, so a failed run keeps what it got. */
export function addRow(row: Row): void {
  rows.push(row);
  log(`row: ${JSON.stringify(row)}`);
}

/** A stack of the e2e order program against `emu`, count 0, with `servers` server ids in config. */
export async function benchStack(emu: Emulator, label: string, servers: number): Promise<TestStack> {
  const stack = await createStack(join(REPO, "test/pulumi/programs/order"), {
    CLORE_RATE_LIMIT_DIR: mkdtempSync(join(tmp, `ledger-${label}-`)),
  });
  await stack.setConfig("clore:baseUrl", emu.url);
  await stack.setConfig("clore:apiKey", emu.apiKey, true);
  await stack.setConfig("count", "0");
  const ids = benchServerIds(servers).flatMap((id, n) => ["--plaintext", `serverIds[${n}]=${id}`]);
  await stack.pulumi(["config", "set-all", "--path", ...ids]);
  return stack;
}

/** The RSS rows' limits (RSS, not time, is measured there): emulator 10 req/s and 5 creates/s; the client just above. */
export const FAST_LIMITS = { generalIntervalMs: 100, createIntervalMs: 200 };
export const FAST_ENV = { CLORE_MIN_INTERVAL_MS: "110", CLORE_CREATE_INTERVAL_MS: "220" };

/** The calls of several operations together. */
export function sumCalls(results: CallCount[]): { calls: number; rateLimited: number; writes: number } {
  return results.reduce(
    (s, r) => ({ calls: s.calls + r.calls, rateLimited: s.rateLimited + r.rateLimited, writes: s.writes + r.writes }),
    { calls: 0, rateLimited: 0, writes: 0 },
  );
}

export interface PulumiOpResult extends CallCount {
  wallMs: number;
  peaks?: ProcessPeak[];
}

/** One measured `pulumi` command, spawn to exit; calls are counted from the emulator's log. */
export async function pulumiOp(
  emu: Emulator | undefined,
  stack: TestStack,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  sampleRss = false,
): Promise<PulumiOpResult> {
  const from = emu?.requests.length ?? 0;
  const r = await runOk("pulumi", [...args, "--non-interactive", "--color=never"], {
    cwd: stack.dir,
    env: { ...stack.env, ...env },
    sampleRss,
  });
  const calls = emu ? countSince(emu, from) : { calls: 0, rateLimited: 0, writes: 0, byEndpoint: {}, spanMs: 0 };
  return { ...calls, wallMs: r.wallMs, peaks: r.peaks };
}

export interface NaiveResult extends CallCount {
  wallMs: number;
  failed: number;
  parseFailures: number;
  peakRssKb: number;
}

/** One run of bench/naive.py (the official Python SDK) against `emu`. */
export async function naiveOp(
  emu: Emulator,
  op: string,
  state: string,
  servers: number[] = [],
  extra: string[] = [],
): Promise<NaiveResult> {
  const from = emu.requests.length;
  const args = [
    join(BENCH, "naive.py"),
    op,
    "--base-url",
    emu.url,
    "--api-key",
    emu.apiKey,
    "--state",
    state,
    "--servers",
    servers.join(","),
    ...extra,
  ];
  const r = await runTimed(PYTHON, args, { cwd: REPO, env: process.env });
  if (r.code !== 0) throw new Error(`naive ${op} exited ${r.code}: ${r.stderr.slice(-2000)}`);
  const out = JSON.parse(lastLine(r.stdout)) as { failed: number; parse_failures: number; peak_rss_kb: number };
  return {
    ...countSince(emu, from),
    wallMs: r.wallMs,
    failed: out.failed,
    parseFailures: out.parse_failures,
    peakRssKb: out.peak_rss_kb,
  };
}

export function callsCell(c: { calls: number; rateLimited: number; writes: number }, extra = ""): string {
  return `${c.calls} / ${c.rateLimited} / ${c.writes}${extra}`;
}

export function endpoints(c: CallCount): string {
  return (
    Object.entries(c.byEndpoint)
      .map(([e, n]) => `${n} ${e}`)
      .join(", ") || "no calls"
  );
}

export function naiveNote(n: NaiveResult): string {
  const parts = [];
  if (n.parseFailures) parts.push(`${n.parseFailures} create_order answers the Python SDK could not parse`);
  if (n.failed) parts.push(`${n.failed} calls failed after retries`);
  return parts.length ? ` (${parts.join("; ")})` : "";
}

export function lastLine(s: string): string {
  return s.trim().split("\n").pop() ?? "";
}
