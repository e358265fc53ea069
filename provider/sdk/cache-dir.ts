import { homedir } from "node:os";
import { join } from "node:path";

/** `$XDG_CACHE_HOME/pulumi-clore/<subdir>` (else ~/.cache/…), or the folder `overrideVar` names (in `env`). */
export function cloreCacheDir(subdir: string, overrideVar: string, env: NodeJS.ProcessEnv = process.env): string {
  return env[overrideVar] || join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "pulumi-clore", subdir);
}
