import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

let version: string | undefined;

/**
 * This package's version, read once per process from the nearest package.json named
 * pulumi-clore above this file: the repo's, the installed npm package's, or the one the
 * resource-provider plugin's tarball carries beside its bundle.
 */
export function packageVersion(): string {
  return (version ??= readPackageVersion());
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
