import { readFileSync, readdirSync } from "node:fs";

/** Peak resident memory of one process, from /proc/<pid>/status (VmHWM is the kernel's own high-water mark). */
export interface ProcessPeak {
  pid: number;
  role: "plugin" | "program" | "other";
  cmd: string;
  peakKb: number;
}

/**
 * Samples the resident memory of every descendant of `rootPid` (the `pulumi` CLI) until
 * stopped. The dynamic-provider plugin (`pulumi-resource-pulumi-nodejs`, which execs
 * `node …/@pulumi/pulumi/cmd/dynamic-provider`) is found by its command line. A process's
 * VmHWM is read every `everyMs`, so at most the last `everyMs` of its life is missed.
 */
export class RssSampler {
  private readonly peaks = new Map<number, ProcessPeak>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly rootPid: number,
    everyMs = 100,
  ) {
    this.timer = setInterval(() => this.sample(), everyMs);
    this.sample();
  }

  stop(): ProcessPeak[] {
    clearInterval(this.timer);
    return [...this.peaks.values()];
  }

  /** Largest peak among plugin processes, in MB (1 MB = 2^20 bytes). */
  static pluginPeakMb(peaks: ProcessPeak[]): number | undefined {
    const plugin = peaks.filter((p) => p.role === "plugin");
    return plugin.length ? Math.max(...plugin.map((p) => p.peakKb)) / 1024 : undefined;
  }

  private sample(): void {
    for (const pid of descendants(this.rootPid)) {
      const status = readOr(`/proc/${pid}/status`);
      const hwm = /^VmHWM:\s+(\d+) kB/m.exec(status)?.[1];
      if (!hwm) continue;
      let peak = this.peaks.get(pid);
      if (!peak || peak.role === "other") {
        // Re-read until known: the plugin starts as `sh pulumi-resource-pulumi-nodejs`, which
        // execs node in the same pid (exec also resets VmHWM, so the shell's peak is dropped).
        const cmd = readOr(`/proc/${pid}/cmdline`).split("\0").filter(Boolean).join(" ");
        const role = roleOf(cmd);
        if (!peak || role !== "other") {
          peak = { pid, role, cmd: cmd.slice(0, 160), peakKb: 0 };
          this.peaks.set(pid, peak);
        }
      }
      peak.peakKb = Math.max(peak.peakKb, Number(hwm));
    }
  }
}

/**
 * The dynamic-provider plugin is `node …/cmd/dynamic-provider/index.js` (`node -p require.resolve(…)`
 * is its wrapper's path lookup); the resource-provider plugin `…/resource-clore-v<version>/pulumi-resource-clore`
 * (a single executable).
 */
function roleOf(cmd: string): ProcessPeak["role"] {
  if (/\bnode\b.*@pulumi\/pulumi\/cmd\/dynamic-provider/.test(cmd) && !cmd.includes("require.resolve")) return "plugin";
  if (/resource-clore-v[^/]*\/pulumi-resource-clore\b/.test(cmd)) return "plugin";
  if (/\bnode\b.*@pulumi\/pulumi\/cmd\/run/.test(cmd)) return "program";
  return "other";
}

/** Every live descendant of `root`, from the parent ids in /proc/<pid>/stat. */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSafe("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readOr(`/proc/${name}/stat`);
    // Field 4 (ppid) follows the command name, which is in parentheses and may hold spaces.
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (!Number.isFinite(ppid)) continue;
    const list = children.get(ppid) ?? [];
    list.push(Number(name));
    children.set(ppid, list);
  }
  const out: number[] = [];
  const todo = [root];
  while (todo.length) {
    const pid = todo.pop()!;
    for (const c of children.get(pid) ?? []) {
      out.push(c);
      todo.push(c);
    }
  }
  return out;
}

function readOr(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return ""; // The process exited between listing and reading.
  }
}

function readdirSafe(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}
