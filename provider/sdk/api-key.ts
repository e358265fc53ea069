import { readConfigFile, defaultConfigPath } from "./config-file";

export const DEFAULT_BASE_URL = "https://api.clore.ai/v1";

export type KeySource = "option" | "env" | "config-file";

export interface ResolvedSettings {
  apiKey?: string;
  keySource?: KeySource;
  baseUrl: string;
  baseUrlSource: KeySource | "default";
}

export interface ResolveOptions {
  apiKey?: string;
  baseUrl?: string;
  env?: NodeJS.ProcessEnv;
  configPath?: string;
}

/**
 * Key lookup, as the official Python SDK does it: explicit option, then CLORE_API_KEY, then
 * ~/.clore/config.json. Read at call time and never stored anywhere else. The base URL
 * follows the same order with CLORE_BASE_URL and `base_url`.
 */
export function resolveSettings(options: ResolveOptions = {}): ResolvedSettings {
  const env = options.env ?? process.env;
  // Read only when a setting falls through to it: the provider resolves settings per operation.
  let fileContents: ReturnType<typeof readConfigFile> | undefined;
  const file = () => (fileContents ??= readConfigFile(options.configPath ?? defaultConfigPath()));
  const [url, baseUrlSource] = firstSet([options.baseUrl, "option"], [env.CLORE_BASE_URL, "env"], () => [
    file().base_url,
    "config-file",
  ]) ?? [DEFAULT_BASE_URL, "default"];
  const base = { baseUrl: url.replace(/\/+$/, ""), baseUrlSource };
  const key = firstSet([options.apiKey, "option"], [env.CLORE_API_KEY, "env"], () => [file().api_key, "config-file"]);
  return key ? { apiKey: key[0], keySource: key[1], ...base } : base;
}

type Candidate = [value: unknown, source: KeySource];

/** The first candidate holding a non-empty string, with where it came from (a function is called only if reached). */
function firstSet(...candidates: (Candidate | (() => Candidate))[]): [string, KeySource] | undefined {
  for (const c of candidates) {
    const [value, source] = typeof c === "function" ? c() : c;
    if (typeof value === "string" && value) return [value, source];
  }
  return undefined;
}
