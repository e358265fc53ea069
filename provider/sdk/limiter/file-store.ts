import { closeSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { cloreCacheDir } from "../cache-dir";
import type { SlotStore } from "./rate-limiter";
import { type SlotState, slotsFrom } from "./rate-slots";

/**
 * A slot store in a small file per key (named by the key's fingerprint, never the key),
 * so every process on the machine that uses one key — the Pulumi program, the provider
 * plugin, two stacks, the CLI — shares the 1 request/s and 1 create/5 s budget, including
 * the real send times and any slowdown learned from a 429 (see rate-slots.ts).
 */
export class FileSlotStore implements SlotStore {
  private readonly statePath: string;
  private readonly lockPath: string;

  constructor(fingerprint: string, dir: string = defaultStoreDir()) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.statePath = join(dir, `${fingerprint}.json`);
    this.lockPath = join(dir, `${fingerprint}.lock`);
  }

  describe(): string {
    return `file ledger in ${dirname(this.statePath)} (this machine's processes)`;
  }

  update<T>(fn: (s: SlotState) => T): Promise<T> {
    return this.locked(() => {
      const s = this.read();
      const result = fn(s);
      this.write(s);
      return result;
    });
  }

  private read(): SlotState {
    try {
      return slotsFrom(JSON.parse(readFileSync(this.statePath, "utf8")));
    } catch {
      return slotsFrom(undefined);
    }
  }

  private write(s: SlotState): void {
    const tmp = `${this.statePath}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(s), { mode: 0o600 });
    renameSync(tmp, this.statePath);
  }

  /** An exclusive-create lock file; a lock older than 5 s is a crashed holder's and is broken. */
  private async locked<T>(fn: () => T): Promise<T> {
    for (let spins = 0; ; spins++) {
      try {
        closeSync(openSync(this.lockPath, "wx", 0o600));
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
        try {
          if (Date.now() - statSync(this.lockPath).mtimeMs > 5000) unlinkSync(this.lockPath);
        } catch {
          // The holder released it meanwhile.
        }
        await new Promise((r) => setTimeout(r, Math.min(20, 1 + spins)));
      }
    }
    try {
      return fn();
    } finally {
      try {
        unlinkSync(this.lockPath);
      } catch {
        // Already broken as stale by another process: nothing to release.
      }
    }
  }
}

function defaultStoreDir(): string {
  return cloreCacheDir("rate-limits", "CLORE_RATE_LIMIT_DIR");
}
