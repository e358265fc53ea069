import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cloreCacheDir, keyFingerprint } from "../../sdk";

/**
 * A short-lived disk cache of read-only answers (marketplace, renter_fees), keyed by a hash of the API key and
 * the base URL (never the key itself). `pulumi preview` and `pulumi up` run the program in two
 * processes a minute apart; with the cache they cost one API call. Filters apply after the
 * cache, so every filter set shares one entry.
 */
function cacheDir(): string {
  return cloreCacheDir("marketplace", "CLORE_CACHE_DIR");
}

function entryPath(name: string, apiKey: string | undefined, baseUrl: string): string {
  const url = createHash("sha256").update(baseUrl).digest("hex").slice(0, 12);
  return join(cacheDir(), `${name}-${keyFingerprint(apiKey)}-${url}.json`);
}

export function readCache<T>(name: string, apiKey: string | undefined, baseUrl: string, ttlMs: number, now = Date.now()): { value: T; fetchedAt: number } | undefined {
  if (ttlMs <= 0) return undefined;
  try {
    const entry = JSON.parse(readFileSync(entryPath(name, apiKey, baseUrl), "utf8")) as { fetchedAt: number; value: T };
    return now - entry.fetchedAt <= ttlMs && entry.fetchedAt <= now ? entry : undefined;
  } catch {
    return undefined;
  }
}

export function writeCache<T>(name: string, apiKey: string | undefined, baseUrl: string, value: T, now = Date.now()): void {
  try {
    mkdirSync(cacheDir(), { recursive: true, mode: 0o700 });
    const path = entryPath(name, apiKey, baseUrl);
    // Write-then-rename: a concurrent reader never sees half a file.
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ fetchedAt: now, value }), { mode: 0o600 });
    renameSync(tmp, path);
  } catch {
    // A cache that cannot be written only costs an API call.
  }
}
