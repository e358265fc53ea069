import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";

/** The official Python SDK's config file: `~/.clore/config.json` = `{ "api_key": "...", "base_url"?: "..." }`. */
export interface CloreConfigFile {
  api_key?: string;
  base_url?: string;
  [key: string]: unknown;
}

export function defaultConfigPath(home: string = homedir()): string {
  return join(home, ".clore", "config.json");
}

export function readConfigFile(path: string = defaultConfigPath()): CloreConfigFile {
  if (!existsSync(path)) return {};
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, "utf8"));
    return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as CloreConfigFile) : {};
  } catch {
    // A broken file must not crash every command; it just provides nothing.
    return {};
  }
}

/** Write the config file readable by its owner only: it holds the API key. */
export function writeConfigFile(config: CloreConfigFile, path: string = defaultConfigPath()): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
}
