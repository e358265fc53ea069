import { readConfigFile, defaultConfigPath } from "./config-file";

export const DEFAULT_BASE_URL = "https://api.clore.ai/v1";

export type KeySource = "option" | "env" | "config-file";

export interface ResolvedSettings {
  apiKey?: string;
  keySource?: KeySource;
  baseUrl: string;
}

export interface ResolveOptions {
  apiKey?: string;
  baseUrl?: string;
  env?: NodeJS.ProcessEnv;
  configPath?: string;
}

/**
 * Key lookup, as the seed does it: explicit option, then CLORE_API_KEY, then
 * ~/.clore/config.json. Read at call time and never stored anywhere else. The base URL
 * follows the same order with CLORE_BASE_URL and `base_url`.
 */
export function resolveSettings(options: ResolveOptions = {}): ResolvedSettings {
  const env = options.env ?? process.env;
  // Read only when a setting falls through to it: the provider resolves settings per operation.
  let fileContents: ReturnType<typeof readConfigFile> | undefined;
  const file = () => (fileContents ??= readConfigFile(options.configPath ?? defaultConfigPath()));
  const baseUrl = (options.baseUrl || env.CLORE_BASE_URL || file().base_url || DEFAULT_BASE_URL).replace(/\/+$/, "");
  if (options.apiKey) return { apiKey: options.apiKey, keySource: "option", baseUrl };
  if (env.CLORE_API_KEY) return { apiKey: env.CLORE_API_KEY, keySource: "env", baseUrl };
  const fileKey = file().api_key;
  if (typeof fileKey === "string" && fileKey) return { apiKey: fileKey, keySource: "config-file", baseUrl };
  return { baseUrl };
}
