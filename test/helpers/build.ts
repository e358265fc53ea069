// End-to-end tests run the built package (dist/): the CLI as a child process, and Pulumi
// programs that load `pulumi-clore` through the repo's self-link. A dist/ older than the
// sources would silently test stale code, so it is rebuilt first.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

export const REPO = resolve(__dirname, "..", "..");
const BUILT = join(REPO, "dist", "provider", "index.js");

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (/\.(ts|json)$/.test(e.name)) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

let built: Promise<void> | undefined;

/** Compile with tsc when dist/ is missing or older than any source under provider/ (once per run). */
export function ensureBuilt(): Promise<void> {
  built ??= new Promise<void>((done, fail) => {
    const sources = newestMtime(join(REPO, "provider"));
    if (existsSync(BUILT) && statSync(BUILT).mtimeMs >= sources) return done();
    const tsc = spawnSync(process.execPath, [join(REPO, "node_modules", "typescript", "bin", "tsc"), "-p", REPO], {
      encoding: "utf8",
    });
    if (tsc.status !== 0) return fail(new Error(`dist/ is stale and tsc failed:\n${tsc.stdout}${tsc.stderr}`));
    done();
  });
  return built;
}
