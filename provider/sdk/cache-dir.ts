import { homedir } from "node:os";
import { join } from "node:path";

/** `$XDG_CACHE_HOME/pulumi-clore/<subdir>` (else ~/.cache/…), or the folder `overrideVar` names. */
export function cloreCacheDir(subdir: string, overrideVar: string): string {
  return (
    process.env[overrideVar] || join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "pulumi-clore", subdir)
  );
}
