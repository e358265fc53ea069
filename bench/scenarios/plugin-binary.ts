import { execFileSync, spawn } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { packageVersion } from "pulumi-clore/sdk";
import { log, tmp } from "../lib/context";
import { fmtMb, renderMarkdown } from "../lib/table";

const RUNS = 10;

interface Variant {
  name: string;
  /** The command Pulumi starts. */
  exe: string;
  /** Bytes on disk of what the plugin directory holds, and of its release archive. */
  diskBytes: number;
  archiveBytes: number;
  needs: string;
}

/**
 * The plugin as released (a Node single executable, `scripts/release.sh plugin`) beside the
 * launcher it replaced (a /bin/sh script running `exec node plugin.js` on the node on PATH,
 * the same esbuild bundle): size on disk and as an archive, start time (spawn to the port on
 * stdout, what the engine waits for) and peak RSS once started, median / max of RUNS starts,
 * the two interleaved.
 */
export async function pluginBinary(): Promise<{ table: string; notes: string[] }> {
  const release = process.env.BENCH_PLUGIN_RELEASE;
  if (!release) throw new Error("binary: BENCH_PLUGIN_RELEASE is not set; run the bench with bash bench/run.sh binary");
  const version = packageVersion();
  const seaDir = join(tmp, "plugin-sea");
  const archive = join(release, `pulumi-resource-clore-v${version}-linux-amd64.tar.gz`);
  mkdirSync(seaDir, { recursive: true });
  execFileSync("tar", ["-xzf", archive, "-C", seaDir]);
  const sea: Variant = {
    name: "single executable (released)",
    exe: join(seaDir, "pulumi-resource-clore"),
    diskBytes: statSync(join(seaDir, "pulumi-resource-clore")).size,
    archiveBytes: statSync(archive).size,
    needs: "nothing",
  };
  const launcher = buildLauncher(version);
  const variants = [sea, launcher];
  const starts = new Map<Variant, number[]>(variants.map((v) => [v, []]));
  const peaks = new Map<Variant, number[]>(variants.map((v) => [v, []]));
  for (let i = 0; i < RUNS; i++) {
    for (const v of i % 2 ? [...variants].reverse() : variants) {
      const r = await startOnce(v.exe);
      starts.get(v)!.push(r.startMs);
      peaks.get(v)!.push(r.peakMb);
    }
  }
  log(`binary: ${RUNS} starts of each`);
  const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const table = renderMarkdown(
    ["Plugin", "On disk", "Archive (.tar.gz)", "Needs", `Start to port (median of ${RUNS})`, "Peak RSS started"],
    variants.map((v) => [
      v.name,
      mb(v.diskBytes),
      mb(v.archiveBytes),
      v.needs,
      `${median(starts.get(v)!).toFixed(0)} ms`,
      fmtMb(Math.max(...peaks.get(v)!)),
    ]),
  );
  return {
    table,
    notes: [
      `Plugin binary table: linux-amd64, Node ${process.versions.node}; start is spawn → the port line on stdout (what the engine waits for), idle; peak RSS is VmHWM 300 ms after that. ` +
        "The single executable carries V8's code cache for its bundle (built for this target only; the linux-arm64, darwin and windows ones are built without it). " +
        "The launcher's disk size counts its bundle, not the Node it needs on PATH.",
    ],
  };
}

/** The plugin as scripts/release.sh built it before the single executable: launcher + bundle. */
function buildLauncher(version: string): Variant {
  const dir = join(tmp, "plugin-launcher");
  mkdirSync(dir, { recursive: true });
  execFileSync(
    join("node_modules", ".bin", "esbuild"),
    [
      "provider/plugin/main.ts",
      "--bundle",
      "--platform=node",
      "--target=node22",
      "--keep-names",
      `--define:CLORE_BUNDLED_VERSION="${version}"`,
      "--external:@pulumi/pulumi/package.json",
      `--outfile=${join(dir, "plugin.js")}`,
      "--log-level=warning",
    ],
    { stdio: "inherit" },
  );
  const exe = join(dir, "pulumi-resource-clore");
  writeFileSync(exe, '#!/bin/sh\nexec node "$(dirname "$0")/plugin.js" "$@"\n');
  chmodSync(exe, 0o755);
  const archive = join(tmp, "plugin-launcher.tar.gz");
  execFileSync("tar", ["-C", dir, "-czf", archive, "pulumi-resource-clore", "plugin.js"]);
  return {
    name: "launcher + bundle (before)",
    exe,
    diskBytes: statSync(exe).size + statSync(join(dir, "plugin.js")).size,
    archiveBytes: statSync(archive).size,
    needs: `node >= 22 on PATH (${(statSync(process.execPath).size / 1e6).toFixed(0)} MB)`,
  };
}

/** Spawn → the port on stdout; then VmHWM a moment later; then stop it. */
function startOnce(exe: string): Promise<{ startMs: number; peakMb: number }> {
  return new Promise((done, fail) => {
    const t0 = performance.now();
    const child = spawn(exe, [], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.on("error", fail);
    child.stdout.on("data", (d: Buffer) => {
      if (out.includes("\n")) return;
      out += d.toString();
      if (!out.includes("\n")) return;
      const startMs = performance.now() - t0;
      setTimeout(() => {
        const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
        child.kill();
        done({ startMs, peakMb: Number(hwm?.[1] ?? Number.NaN) / 1024 });
      }, 300);
    });
  });
}
