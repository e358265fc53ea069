import { mkdtempSync } from "node:fs";
import { join } from "node:path";
import { startRedis } from "../../test/helpers/redis";
import { REPO } from "../../test/pulumi/harness";
import { BENCH, GENERAL_S, addRow, callsCell, details, lastLine, log, tmp } from "../lib/context";
import { type CallCount, countSince, startBenchEmulator } from "../lib/emulators";
import { runOk } from "../lib/processes";
import { fmtS } from "../lib/table";

const RUNNERS = 3;
const READS = 15;

/**
 * Issue 23: three runners on "separate machines" (each its own rate-limit ledger dir, as
 * separate hosts have) doing 15 wallets() each with one key at the real limits: sharing a
 * real redis-server (CLORE_RATE_LIMIT_STORE) vs no shared store (each machine's file ledger,
 * the adaptive widening after a 429 and the SDK's retries are all they have).
 */
export async function threeMachines(): Promise<void> {
  const redis = await startRedis({ password: "bench-redis" });
  try {
    log(`3 machines × ${READS} wallets(), one key: sharing Redis`);
    const shared = await machines("redis", { CLORE_RATE_LIMIT_STORE: redis.url });
    log(`3 machines × ${READS} wallets(), one key: no shared store`);
    const alone = await machines("alone", {});
    const total = RUNNERS * READS;
    const floorMs = (total - 1) * GENERAL_S * 1000;
    addRow({
      scenario: `${total} SDK reads, 3 machines, 1 key`,
      ours: callsCell(shared, `, ${shared.failed} failed`),
      oursResult: `${fmtS(shared.wallMs)} (span ${fmtS(shared.spanMs)})`,
      floor: `${fmtS(floorMs)} span at 1/s`,
      naive: callsCell(alone, `, ${alone.failed} failed`),
      naiveResult: `${fmtS(alone.wallMs)} (span ${fmtS(alone.spanMs)})`,
      target: "0 × 429, 0 failed, span ≤ floor + 1 %",
      met: shared.rateLimited === 0 && shared.failed === 0 && shared.spanMs <= floorMs * 1.01,
    });
    details.push(
      `3 machines, 1 key: each of ${RUNNERS} processes (bench/sdk-reader.ts, ${READS} wallets()) has its own CLORE_RATE_LIMIT_DIR, as separate hosts do. ` +
        `"ours" = CLORE_RATE_LIMIT_STORE=redis://… (a real redis-server on 127.0.0.1); "naive" = the same SDK without a shared store ` +
        `(per-machine ledgers; after a 429 each backs off with jitter and widens its spacing; failed = calls still refused after the SDK's 3 retries: ${JSON.stringify(alone.errors)}). ` +
        `Smallest gap between two arrivals: Redis ${shared.minGapMs} ms, none ${alone.minGapMs} ms. Wall = spawn of the three to exit of the three (node start included); span = first to last request at the emulator.`,
    );
  } finally {
    await redis.stop();
  }
}

interface MachinesResult extends CallCount {
  wallMs: number;
  failed: number;
  errors: Record<string, number>;
}

async function machines(label: string, env: NodeJS.ProcessEnv): Promise<MachinesResult> {
  const emu = await startBenchEmulator(`machines-${label}`);
  try {
    const start = performance.now();
    const args = ["--disable-warning=MODULE_TYPELESS_PACKAGE_JSON", join(BENCH, "sdk-reader.ts"), String(READS)];
    const outs = await Promise.all(
      Array.from({ length: RUNNERS }, (_, n) =>
        runOk(process.execPath, args, {
          cwd: REPO,
          env: {
            ...process.env,
            CLORE_BASE_URL: emu.url,
            CLORE_API_KEY: emu.apiKey,
            CLORE_RATE_LIMIT_DIR: mkdtempSync(join(tmp, `ledger-machine${n}-`)),
            CLORE_MIN_INTERVAL_MS: "",
            CLORE_CREATE_INTERVAL_MS: "",
            CLORE_RATE_LIMIT_STORE: "",
            ...env,
          },
        }),
      ),
    );
    const wallMs = performance.now() - start;
    const parsed = outs.map(
      (o) => JSON.parse(lastLine(o.stdout)) as { failed: number; errors: Record<string, number> },
    );
    const errors: Record<string, number> = {};
    for (const p of parsed) for (const [k, v] of Object.entries(p.errors)) errors[k] = (errors[k] ?? 0) + v;
    return { ...countSince(emu, 0), wallMs, failed: parsed.reduce((s, p) => s + p.failed, 0), errors };
  } finally {
    await emu.close();
  }
}
