import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

/**
 * The version scripts/release.sh builds into the plugin binary (esbuild `--define`): a
 * single executable has no package.json beside it to read.
 */
declare const CLORE_BUNDLED_VERSION: string | undefined;

let version: string | undefined;

/**
 * This package's version, read once per process: the one built into the resource-provider
 * plugin, else the nearest package.json named pulumi-clore above this file (the repo's or
 * the installed npm package's).
 */
export function packageVersion(): string {
  return (version ??= typeof CLORE_BUNDLED_VERSION === "string" ? CLORE_BUNDLED_VERSION : readPackageVersion());
}

function readPackageVersion(): string {
  for (let dir = __dirname, i = 0; i < 5; dir = dirname(dir), i++) {
    const p = join(dir, "package.json");
    if (existsSync(p)) {
      const pkg = JSON.parse(readFileSync(p, "utf8")) as { name?: string; version?: string };
      if (pkg.name === "pulumi-clore") return pkg.version ?? "0.0.0";
    }
  }
  return "0.0.0";
}
