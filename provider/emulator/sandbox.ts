import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Where the order's `command` writes its output, inside the sandbox. */
export const BOOT_COMMAND_LOG = ".clore-command.log";
const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
/** Set on every process a sandbox starts (and inherited by theirs), to find them all at the end. */
const MARKER = "CLORE_EMULATOR_SANDBOX";

/**
 * One order's "container": a directory (mode 0700) that is the file system SSH sessions see,
 * and the processes started in it. A local stand-in, NOT isolation: commands run as the user
 * running the emulator, with /bin/sh, and can reach anything that user can.
 */
export class Sandbox {
  private readonly running = new Set<ChildProcess>();
  private removed = false;
  /** Whether anything ever ran here (else ending the order needs no search for strays). */
  private used = false;

  constructor(
    readonly dir: string,
    private readonly orderEnv: Record<string, string>,
  ) {}

  /** The order's env over a usable PATH, with HOME = the sandbox (so `~` is the login directory). */
  get env(): Record<string, string> {
    return {
      PATH: process.env.PATH || DEFAULT_PATH,
      HOME: this.dir,
      SHELL: "/bin/sh",
      ...this.orderEnv,
      [MARKER]: this.dir,
    };
  }

  /**
   * `/bin/sh -c command` (or an interactive `/bin/sh -i`) in its own process group, so ending
   * the order can kill everything it started. Stdio is piped unless `logFile` is given.
   */
  spawn(command: string | undefined, opts: { logFile?: string; env?: Record<string, string> } = {}): ChildProcess {
    if (this.removed) throw new Error("the order has ended");
    const args = command === undefined ? ["-i"] : ["-c", command];
    const fd = opts.logFile !== undefined ? openSync(join(this.dir, opts.logFile), "a", 0o600) : undefined;
    const child = spawn("/bin/sh", args, {
      cwd: this.dir,
      env: { ...opts.env, ...this.env },
      detached: true,
      stdio: fd !== undefined ? ["ignore", fd, fd] : "pipe",
    });
    if (fd !== undefined) closeSync(fd);
    this.used = true;
    this.running.add(child);
    child.once("exit", () => this.running.delete(child));
    child.once("error", () => this.running.delete(child));
    return child;
  }

  /** The order's `command`, started at boot in the background; its output goes to BOOT_COMMAND_LOG. */
  startBootCommand(command: string): void {
    this.spawn(command, { logFile: BOOT_COMMAND_LOG }).on("error", () => undefined);
  }

  /** SIGKILL to the process group `child` leads. */
  kill(child: ChildProcess): void {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }

  /** Kill everything still running and delete the directory. */
  remove(): void {
    this.removed = true;
    for (const child of this.running) this.kill(child);
    this.running.clear();
    if (this.used) killMarked(`${MARKER}=${this.dir}`);
    rmSync(this.dir, { recursive: true, force: true, maxRetries: 3 });
  }
}

/**
 * Processes that left their group (`setsid`, `nohup … &` of a finished command) still carry
 * the sandbox's marker in their environment: find them in /proc (Linux) and kill them too.
 */
function killMarked(marker: string): void {
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((e) => /^\d+$/.test(e) && Number(e) !== process.pid);
  } catch {
    return; // no /proc: the process groups were all we could reach
  }
  for (const pid of pids) {
    try {
      if (readFileSync(`/proc/${pid}/environ`, "latin1").split("\0").includes(marker))
        process.kill(Number(pid), "SIGKILL");
    } catch {
      // Gone, or not ours to read.
    }
  }
}

/** The sandboxes of one emulator, under one temporary directory created on first use. */
export class Sandboxes {
  private root?: string;
  private readonly byOrder = new Map<number, Sandbox>();
  /** A process that exits without closing its emulator (a test that forgot) still cleans up. */
  private readonly atExit = () => this.removeAll();

  create(orderId: number, env: Record<string, string>): Sandbox {
    if (this.root === undefined) {
      this.root = mkdtempSync(join(tmpdir(), "clore-emulator-"));
      process.once("exit", this.atExit);
    }
    const dir = join(this.root, `order-${orderId}`);
    mkdirSync(dir, { mode: 0o700 });
    const box = new Sandbox(dir, env);
    this.byOrder.set(orderId, box);
    return box;
  }

  remove(orderId: number): void {
    this.byOrder.get(orderId)?.remove();
    this.byOrder.delete(orderId);
  }

  /** Every sandbox and the root directory (emulator close). */
  removeAll(): void {
    for (const id of [...this.byOrder.keys()]) this.remove(id);
    if (this.root) rmSync(this.root, { recursive: true, force: true, maxRetries: 3 });
    this.root = undefined;
    process.off("exit", this.atExit);
  }
}
