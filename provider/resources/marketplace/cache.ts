import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type CacheStore, type Timed, cloreCacheDir } from "../../sdk";

/**
 * The program's answers on disk (marketplace, renter_fees): `pulumi preview` and `pulumi up`
 * run the program in two processes a minute apart, and with this store they cost one API
 * call. Entries are named by the account (a hash of the key and base URL, never the key)
 * and the request; the client's cache decides what is fresh enough.
 */
export class DiskStore implements CacheStore {
  constructor(
    private readonly account: string,
    private readonly dir = cloreCacheDir("marketplace", "CLORE_CACHE_DIR"),
  ) {}

  private path(key: string): string {
    const name = key.replace(/[^\w-]/g, "_").slice(0, 40);
    return join(this.dir, `${name}-${this.account}-${createHash("sha256").update(key).digest("hex").slice(0, 8)}.json`);
  }

  read(key: string): Timed<unknown> | undefined {
    try {
      const entry = JSON.parse(readFileSync(this.path(key), "utf8")) as { fetchedAt: number; value: unknown };
      return { value: entry.value, sentAt: entry.fetchedAt };
    } catch {
      return undefined;
    }
  }

  write(key: string, answer: Timed<unknown>): void {
    try {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      const path = this.path(key);
      // Write-then-rename: a concurrent reader never sees half a file.
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify({ fetchedAt: answer.sentAt, value: answer.value }), { mode: 0o600 });
      renameSync(tmp, path);
    } catch {
      // A cache that cannot be written only costs an API call.
    }
  }
}
