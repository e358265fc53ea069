import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { packageVersion } from "pulumi-clore/sdk";
import { type TestStack, createStack } from "../../test/pulumi/harness";
import {
  BOOT_MS,
  FAST_ENV,
  FAST_LIMITS,
  type PulumiOpResult,
  addRow,
  callsCell,
  details,
  endpoints,
  log,
  pulumiOp,
  sumCalls,
  tmp,
} from "../lib/context";
import { benchServerIds, startBenchEmulator } from "../lib/emulators";
import { RssSampler } from "../lib/rss";
import { fmtMb, fmtS } from "../lib/table";

const N = 100;

/**
 * The resource-provider plugin (pulumi-resource-clore, the release tarball) serving 100 orders
 * of a Pulumi YAML program: its peak RSS over up / refresh / destroy beside the dynamic-provider
 * host's, measured just before in the same run (`dynamicPeakMb`, from plugin-rss.ts), and the
 * API calls of preview and refresh on this path. Same emulator settings as the RSS row.
 */
export async function resourcePlugin(dynamicPeakMb: number | undefined): Promise<void> {
  const emu = await startBenchEmulator("plugin", { bootDelayMs: BOOT_MS, ...FAST_LIMITS });
  const stack = await yamlStack(emu.url, emu.apiKey).catch(async (e: unknown) => {
    await emu.close();
    throw e;
  });
  try {
    const phases: Record<string, PulumiOpResult> = {};
    for (const op of ["up", "preview", "refresh", "destroy"] as const) {
      log(`plugin: ${op} of ${N} orders`);
      const args = op === "preview" ? ["preview", "--expect-no-changes"] : [op, "--yes", "--skip-preview"];
      phases[op] = await pulumiOp(emu, stack, args, FAST_ENV, true);
      if (op === "up" && emu.activeOrders().length !== N)
        throw new Error(`plugin: expected ${N} active orders, got ${emu.activeOrders().length}`);
    }
    const mb = (r: PulumiOpResult) => RssSampler.pluginPeakMb(r.peaks ?? []);
    const busy = [phases.up!, phases.refresh!, phases.destroy!];
    const peak = Math.max(...busy.map((r) => mb(r) ?? Infinity));
    const calls = sumCalls(busy);
    const none = "— (no naive plugin)";
    addRow({
      scenario: `resource plugin peak RSS, ${N} orders (up + refresh + destroy)`,
      ours: callsCell(calls),
      oursResult: `${fmtMb(peak)} (up ${fmtMb(mb(phases.up!))}, refresh ${fmtMb(mb(phases.refresh!))}, destroy ${fmtMb(mb(phases.destroy!))})`,
      floor: `dynamic-provider host, same run: ${fmtMb(dynamicPeakMb)}`,
      naive: none,
      naiveResult: none,
      target: "< the dynamic-provider host",
      met: dynamicPeakMb !== undefined && peak < dynamicPeakMb,
    });
    addRow({
      scenario: `resource plugin: preview, N=${N} up`,
      ours: callsCell(phases.preview!),
      oursResult: fmtS(phases.preview!.wallMs),
      floor: "0 calls",
      naive: none,
      naiveResult: none,
      target: "0 calls (as the dynamic path)",
      met: phases.preview!.calls === 0,
    });
    addRow({
      scenario: `resource plugin: refresh, N=${N}`,
      ours: callsCell(phases.refresh!),
      oursResult: fmtS(phases.refresh!.wallMs),
      floor: "1 call",
      naive: none,
      naiveResult: none,
      target: "1 call (as the dynamic path)",
      met: phases.refresh!.calls === 1,
    });
    details.push(
      `Resource plugin rows: a Pulumi YAML program of ${N} orders (same inputs as the RSS row's), plugin installed from \`scripts/release.sh plugin\` into a PULUMI_HOME of the run; ` +
        `VmHWM of the plugin process (the single executable …/resource-clore-v${packageVersion()}/pulumi-resource-clore). Walls: up ${fmtS(phases.up!.wallMs)}, preview ${fmtS(phases.preview!.wallMs)}, ` +
        `refresh ${fmtS(phases.refresh!.wallMs)}, destroy ${fmtS(phases.destroy!.wallMs)}; ${endpoints(phases.up!)} (up), ${endpoints(phases.refresh!)} (refresh), ${endpoints(phases.destroy!)} (destroy).`,
    );
  } finally {
    await stack.pulumi(["destroy", "--yes", "--skip-preview"], { allowFail: true, env: FAST_ENV });
    stack.cleanup();
    await emu.close();
  }
}

/** A YAML program of N orders on the bench's servers, with the release's plugin (built by run.sh) installed. */
async function yamlStack(baseUrl: string, apiKey: string): Promise<TestStack> {
  const release = process.env.BENCH_PLUGIN_RELEASE;
  if (!release) throw new Error("plugin: BENCH_PLUGIN_RELEASE is not set; run the bench with bash bench/run.sh plugin");
  const program = join(tmp, "plugin-program");
  mkdirSync(program, { recursive: true });
  const orders = benchServerIds(N).map(
    (id, n) =>
      `  order-${n}:\n    type: clore:index:Order\n    properties:\n      serverId: ${id}\n      image: cloreai/ubuntu22.04-cuda12\n      currency: USD-Blockchain\n      ports: { "22": tcp }\n`,
  );
  writeFileSync(
    join(program, "Pulumi.yaml"),
    `name: clore-bench-plugin\nruntime: yaml\nresources:\n${orders.join("")}`,
  );
  const home = mkdtempSync(join(tmp, "plugin-home-"));
  const stack = await createStack(program, {
    PULUMI_HOME: home,
    CLORE_RATE_LIMIT_DIR: mkdtempSync(join(tmp, "ledger-plugin-")),
  });
  const version = packageVersion();
  await stack.pulumi([
    "plugin",
    "install",
    "resource",
    "clore",
    version,
    "--file",
    join(release, `pulumi-resource-clore-v${version}-linux-amd64.tar.gz`),
  ]);
  await stack.setConfig("clore:apiKey", apiKey, true);
  await stack.setConfig("clore:baseUrl", baseUrl);
  return stack;
}
