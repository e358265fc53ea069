import { execFileSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { BOOT_MS, WORK_TREE, benchStack, details, log, rows, tmp } from "./lib/context";
import { startBenchEmulator } from "./lib/emulators";
import { fmtS, renderTable } from "./lib/table";
import { pluginBinary } from "./scenarios/plugin-binary";
import { pluginRss } from "./scenarios/plugin-rss";
import { pulumiScenarios } from "./scenarios/pulumi-ops";
import { resourcePlugin } from "./scenarios/resource-plugin";
import { checkpointScenarios } from "./scenarios/checkpoint-sync";
import { reconnectScenarios } from "./scenarios/job-reconnect";
import { sshScenarios } from "./scenarios/ssh-job";
import { threeMachines } from "./scenarios/three-machines";
import { twoProcessReads } from "./scenarios/two-process-reads";

/**
 * Issue 7 benchmark: API calls, 429s and wall time of our provider and SDK against the
 * emulator at the real limits, beside the floor the limits allow and a naive baseline
 * (the official Python SDK, one call per resource) measured in the same run, interleaved.
 * Issue 14 adds "ssh": a job's start and SFTP throughput beside OpenSSH and raw TCP; issue 15
 * "plugin": the resource plugin's memory and calls beside the dynamic host's.
 * Issue 23 "machines": three runners on separate ledgers, one key, with and without Redis.
 * Issue 21 "reconnect": from a cut (clean or silent) to the resumed stream, beside the plain ssh.run.
 * Issue 21 "checkpoint": checkpoint push/pull throughput beside the raw SFTP copy of the same tree.
 * Issue 22 "binary": the plugin's single executable beside the launcher it replaced.
 * Run with `bash bench/run.sh [pulumi|readers|machines|rss|plugin|ssh|reconnect|checkpoint|binary]`; see bench/README.md.
 */
const PARTS = ["pulumi", "readers", "machines", "rss", "plugin", "ssh", "reconnect", "checkpoint", "binary"];

async function main(): Promise<void> {
  const started = Date.now();
  const loadAtStart = loadavg()[0]!.toFixed(1);
  const measured = revision(); // At start: dist/ was built from this tree just before.
  const only = new Set(process.argv.slice(2));
  const unknown = [...only].filter((p) => !PARTS.includes(p));
  if (unknown.length)
    throw new Error(`unknown part ${unknown.join(", ")}: choose from ${PARTS.join(", ")} (none = all)`);
  const want = (part: string) => only.size === 0 || only.has(part);
  log(`work dir ${tmp}`);

  if (want("pulumi") || want("readers")) {
    const ours = await startBenchEmulator("ours", { bootDelayMs: BOOT_MS });
    const naive = await startBenchEmulator("naive", { bootDelayMs: BOOT_MS });
    try {
      if (want("pulumi")) {
        const stack = await benchStack(ours, "ours", 20);
        try {
          await pulumiScenarios(ours, naive, stack);
        } finally {
          await stack.pulumi(["destroy", "--yes", "--skip-preview"], { allowFail: true });
          stack.cleanup();
        }
      }
      if (want("readers")) await twoProcessReads(ours, naive);
    } finally {
      await ours.close();
      await naive.close();
    }
  }
  if (want("machines")) await threeMachines();
  // The resource plugin's memory is judged against the dynamic host's in the same run.
  const dynamicPeak = want("rss") || want("plugin") ? await pluginRss() : undefined;
  if (want("plugin")) await resourcePlugin(dynamicPeak);
  const ssh = want("ssh") ? await sshScenarios() : undefined;
  const reconnect = want("reconnect") ? await reconnectScenarios() : undefined;
  const checkpoint = want("checkpoint") ? await checkpointScenarios() : undefined;
  const binary = want("binary") ? await pluginBinary() : undefined;

  if (rows.length) console.log(`\n${renderTable(rows)}\n`);
  if (ssh) console.log(`\n${ssh.table}\n`);
  if (reconnect) console.log(`\n${reconnect.table}\n`);
  if (checkpoint) console.log(`\n${checkpoint.table}\n`);
  if (binary) console.log(`\n${binary.table}\n`);
  console.log(
    [
      ...details,
      ...(ssh?.notes ?? []),
      ...(reconnect?.notes ?? []),
      ...(checkpoint?.notes ?? []),
      ...(binary?.notes ?? []),
    ]
      .map((d) => `- ${d}`)
      .join("\n"),
  );
  console.log(
    `\nTotal bench time ${fmtS(Date.now() - started)}; node ${process.version}; ${cpus().length} CPUs, 1-min load average ` +
      `${loadAtStart} at start and ${loadavg()[0]!.toFixed(1)} at end (other work on the machine shows up in wall times); ${measured}; ${new Date().toISOString()}.`,
  );
  const resultsPath = join(WORK_TREE, ".tmp", `bench-results-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  writeFileSync(resultsPath, JSON.stringify({ date: new Date().toISOString(), rows, details }, null, 2));
  log(`raw results in ${resultsPath}`);
}

/** The commit measured, and whether provider/ had uncommitted changes (dist/ is built from the work tree). */
function revision(): string {
  try {
    const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: WORK_TREE, encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--", "provider"], {
      cwd: WORK_TREE,
      encoding: "utf8",
    }).trim();
    return `commit ${head}${dirty ? " + uncommitted changes under provider/" : ""}`;
  } catch {
    return "commit unknown";
  }
}

main()
  .then(() => {
    if (!process.env.BENCH_KEEP) rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });
  })
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
