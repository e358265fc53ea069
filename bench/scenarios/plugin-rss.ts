import { join } from "node:path";
import { createStack } from "../../test/pulumi/harness";
import {
  BENCH,
  BOOT_MS,
  FAST_ENV,
  FAST_LIMITS,
  type PulumiOpResult,
  addRow,
  benchStack,
  callsCell,
  details,
  endpoints,
  log,
  naiveNote,
  naiveOp,
  pulumiOp,
  sumCalls,
  tmp,
} from "../lib/context";
import { benchServerIds, startBenchEmulator } from "../lib/emulators";
import { RssSampler } from "../lib/rss";
import { fmtMb, fmtS } from "../lib/table";

/**
 * Peak RSS of the dynamic-provider plugin over up / refresh / destroy of 100 orders, beside
 * the same plugin serving 100 resources of a provider that does nothing (bench/programs/noop).
 * Returns the peak (MB), which the resource plugin's row is compared with.
 */
export async function pluginRss(): Promise<number> {
  const emu = await startBenchEmulator("rss", { bootDelayMs: BOOT_MS, ...FAST_LIMITS });
  const naiveEmu = await startBenchEmulator("rss-naive", { bootDelayMs: BOOT_MS, ...FAST_LIMITS });
  const stack = await benchStack(emu, "rss", 100);
  try {
    log("RSS: up/destroy of 1 order (plugin's fixed cost)");
    await stack.setConfig("count", "1");
    const one = await pulumiOp(emu, stack, ["up", "--yes", "--skip-preview"], FAST_ENV, true);
    await pulumiOp(emu, stack, ["destroy", "--yes", "--skip-preview"], FAST_ENV);

    await stack.setConfig("count", "100");
    const phases: Record<string, PulumiOpResult> = {};
    for (const op of ["up", "refresh", "destroy"] as const) {
      log(`RSS: ${op} of 100 orders (ours)`);
      phases[op] = await pulumiOp(emu, stack, [op, "--yes", "--skip-preview"], FAST_ENV, true);
      if (op === "up" && emu.activeOrders().length !== 100)
        throw new Error(`RSS: expected 100 active orders, got ${emu.activeOrders().length}`);
    }
    log("RSS: up/refresh/destroy of 100 no-op dynamic resources (the plugin host's own floor)");
    const noop = await noopRss(100);
    log("RSS: create/read/cancel of 100 orders (naive Python SDK)");
    const naive = await naiveOp(naiveEmu, "lifecycle", join(tmp, "naive-rss.json"), benchServerIds(100), [
      "--min-interval",
      "0.11",
      "--create-interval",
      "0.22",
      "--no-wait",
    ]);

    const mb = (r: PulumiOpResult) => RssSampler.pluginPeakMb(r.peaks ?? []);
    const peak = Math.max(...Object.values(phases).map((r) => mb(r) ?? Infinity));
    const calls = sumCalls(Object.values(phases));
    addRow({
      scenario: "plugin peak RSS, 100 orders (up + refresh + destroy)",
      ours: callsCell(calls),
      oursResult: `${fmtMb(peak)} (up ${fmtMb(mb(phases.up!))}, refresh ${fmtMb(mb(phases.refresh!))}, destroy ${fmtMb(mb(phases.destroy!))})`,
      floor: `plugin, 100 no-op resources: ${fmtMb(noop)}`,
      naive: callsCell(naive),
      naiveResult: `${fmtMb(naive.peakRssKb / 1024)} (Python process)`,
      target: "< 150 MB",
      met: peak < 150,
    });
    const program = (r: PulumiOpResult) =>
      Math.max(0, ...(r.peaks ?? []).filter((p) => p.role === "program").map((p) => p.peakKb / 1024));
    details.push(
      `RSS row: emulator at 10 req/s and 1 create/0.2 s with CLORE_MIN_INTERVAL_MS=110 CLORE_CREATE_INTERVAL_MS=220 (RSS, not time, is measured); ` +
        `VmHWM of the dynamic-provider plugin process sampled every 100 ms from /proc. Walls: up ${fmtS(phases.up!.wallMs)}, refresh ${fmtS(phases.refresh!.wallMs)}, destroy ${fmtS(phases.destroy!.wallMs)}; ` +
        `ours ${endpoints(phases.up!)} (up), ${endpoints(phases.refresh!)} (refresh), ${endpoints(phases.destroy!)} (destroy). ` +
        `Plugin with 1 order: ${fmtMb(mb(one))}. Floor = the same plugin serving 100 resources of a provider that does nothing (bench/programs/noop: Node + @pulumi/pulumi only). ` +
        `For comparison the program (language host) process peaked at ${fmtMb(program(phases.up!))} during up. Naive (Python SDK, one process, create → find in my_orders without waiting for boot → read → cancel): ${endpoints(naive)}, wall ${fmtS(naive.wallMs)}${naiveNote(naive)}.`,
    );
    return peak;
  } finally {
    await stack.pulumi(["destroy", "--yes", "--skip-preview"], { allowFail: true, env: FAST_ENV });
    stack.cleanup();
    await emu.close();
    await naiveEmu.close();
  }
}

/** Peak plugin RSS (MB) over up/refresh/destroy of `count` resources whose provider does nothing. */
async function noopRss(count: number): Promise<number | undefined> {
  const stack = await createStack(join(BENCH, "programs/noop"));
  try {
    await stack.setConfig("count", String(count));
    let peak: number | undefined;
    for (const op of ["up", "refresh", "destroy"]) {
      const r = await pulumiOp(undefined, stack, [op, "--yes", "--skip-preview"], {}, true);
      peak = Math.max(peak ?? 0, RssSampler.pluginPeakMb(r.peaks ?? []) ?? 0);
    }
    return peak;
  } finally {
    stack.cleanup();
  }
}
