import { mkdtempSync } from "node:fs";
import { join } from "node:path";
import type { Emulator } from "pulumi-clore/emulator";
import { REPO } from "../../test/pulumi/harness";
import { BENCH, GENERAL_S, addRow, callsCell, details, lastLine, log, tmp } from "../lib/context";
import { type CallCount, countSince } from "../lib/emulators";
import { runOk, sleep } from "../lib/processes";
import { fmtS } from "../lib/table";

/**
 * 100 wallets() calls from two node processes with one key (50 each, bench/sdk-reader.ts):
 * the default SDK (a file ledger shared by key) vs CLORE_RATE_LIMIT_SHARED=0, plus a
 * what-if with no safety margin on the 1/s interval.
 */
export async function twoProcessReads(ours: Emulator, naive: Emulator): Promise<void> {
  // The what-if drops the margin: calls 1000 ms apart by send time, exactly the API's limit.
  const variants: { label: string; emu: Emulator; env: NodeJS.ProcessEnv }[] = [
    { label: "shared file ledger (default)", emu: ours, env: {} },
    { label: "CLORE_RATE_LIMIT_SHARED=0", emu: naive, env: { CLORE_RATE_LIMIT_SHARED: "0" } },
    {
      label: "shared file ledger, CLORE_MIN_INTERVAL_MS=1000 (what-if)",
      emu: ours,
      env: { CLORE_MIN_INTERVAL_MS: "1000" },
    },
  ];
  const results = [];
  for (const v of variants) {
    await sleep(2000); // Let the previous phase's last window pass.
    log(`two processes × 50 wallets(): ${v.label}`);
    results.push(await readers(v.emu, v.env));
  }
  const [shared, unshared, whatIf] = results as [ReadersResult, ReadersResult, ReadersResult];
  addRow({
    scenario: "100 SDK reads, 2 processes, 1 key",
    ours: callsCell(shared, `, ${shared.failed} failed`),
    oursResult: `${fmtS(shared.wallMs)} (span ${fmtS(shared.spanMs)})`,
    floor: `${fmtS(99 * GENERAL_S * 1000)}–${fmtS(100 * GENERAL_S * 1000)} at 1/s`,
    naive: callsCell(unshared, `, ${unshared.failed} failed`),
    naiveResult: `${fmtS(unshared.wallMs)} (span ${fmtS(unshared.spanMs)})`,
    target: "0 × 429, ≤ 101 s",
    met: shared.rateLimited === 0 && shared.failed === 0 && shared.wallMs <= 101_000,
  });
  details.push(
    `Two processes: "ours" = default SDK (file ledger shared by key fingerprint, CLORE_RATE_LIMIT_DIR set to a fresh dir); ` +
      `"naive" = the same SDK with CLORE_RATE_LIMIT_SHARED=0 (each process limits itself, so together they send ~2 req/s; ` +
      `failed = calls that still got 429 after the SDK's 3 retries: ${JSON.stringify(unshared.errors)}). Wall = spawn of both processes to exit of both; span = first to last request at the emulator. ` +
      `Smallest gap between two arrivals: ours ${shared.minGapMs} ms, naive ${unshared.minGapMs} ms.`,
  );
  details.push(
    `What-if (not a target row): shared ledger with CLORE_MIN_INTERVAL_MS=1000 (no margin over 1/s instead of the default 1 %): ` +
      `${whatIf.calls} calls, ${whatIf.rateLimited} × 429, ${whatIf.failed} failed, wall ${fmtS(whatIf.wallMs)}, span ${fmtS(whatIf.spanMs)}, smallest gap between two arrivals ${whatIf.minGapMs} ms.`,
  );
}

interface ReadersResult extends CallCount {
  wallMs: number;
  failed: number;
  errors: Record<string, number>;
}

async function readers(emu: Emulator, env: NodeJS.ProcessEnv): Promise<ReadersResult> {
  const ledgerDir = mkdtempSync(join(tmp, "ledger-"));
  const from = emu.requests.length;
  const start = performance.now();
  const childEnv = {
    ...process.env,
    CLORE_BASE_URL: emu.url,
    CLORE_API_KEY: emu.apiKey,
    CLORE_RATE_LIMIT_DIR: ledgerDir,
    CLORE_MIN_INTERVAL_MS: "",
    CLORE_CREATE_INTERVAL_MS: "",
    ...env,
  };
  const args = ["--disable-warning=MODULE_TYPELESS_PACKAGE_JSON", join(BENCH, "sdk-reader.ts"), "50"];
  const outs = await Promise.all([0, 1].map(() => runOk(process.execPath, args, { cwd: REPO, env: childEnv })));
  const wallMs = performance.now() - start;
  const parsed = outs.map((o) => JSON.parse(lastLine(o.stdout)) as { failed: number; errors: Record<string, number> });
  const errors: Record<string, number> = {};
  for (const p of parsed) for (const [k, v] of Object.entries(p.errors)) errors[k] = (errors[k] ?? 0) + v;
  return { ...countSince(emu, from), wallMs, failed: parsed.reduce((s, p) => s + p.failed, 0), errors };
}
