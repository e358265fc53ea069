import { type Clock, systemClock } from "../clock";
import { FileSlotStore } from "./file-store";
import { keyFingerprint, MemorySlotStore, type SlotStore } from "./rate-limiter";
import { RedisSlotStore, type StoreSetting, parseRedisUrl, redactUrl } from "./redis-store";

/** The environment variable that chooses the store: "file", "memory" or a redis:// / rediss:// URL. */
export const RATE_LIMIT_STORE_ENV = "CLORE_RATE_LIMIT_STORE";
/** The same setting as Pulumi provider config (dynamic providers, the plugin, a job's stack). */
export const RATE_LIMIT_STORE_CONFIG = "clore:rateLimitStore";

/**
 * Which store setting is in force: the SDK option (the providers pass `clore:rateLimitStore`
 * through it, named by `source`), else CLORE_RATE_LIMIT_STORE. Undefined when none is set.
 */
export function slotStoreSetting(
  option: StoreSetting | undefined,
  env: NodeJS.ProcessEnv = process.env,
): StoreSetting | undefined {
  if (option?.value) return option;
  const value = env[RATE_LIMIT_STORE_ENV];
  return value ? { value, source: RATE_LIMIT_STORE_ENV } : undefined;
}

/** Checks a setting without connecting (a malformed value throws, naming where it came from). */
export function checkSlotStoreSetting(setting: StoreSetting | undefined): void {
  if (!setting || setting.value === "file" || setting.value === "memory") return;
  parseRedisUrl(setting);
}

/**
 * The one place that chooses where a key's slots are kept (the *slot store*):
 * - memory: a fake clock keeps its own timeline, CLORE_RATE_LIMIT_SHARED=0 or the setting "memory";
 * - redis: a redis:// or rediss:// URL shares the key's budget with every machine using it
 *   (falling back to the file ledger, wider spaced, while Redis is unreachable);
 * - file (the default): real clocks share the key's budget with every process on the machine.
 * Returns undefined for memory (the limiter's default). A malformed setting throws, naming it.
 */
export function chooseSlotStore(
  apiKey: string | undefined,
  clock: Clock,
  setting: StoreSetting | undefined = slotStoreSetting(undefined),
  notice?: (message: string) => void,
): SlotStore | undefined {
  checkSlotStoreSetting(setting);
  if (clock !== systemClock || process.env.CLORE_RATE_LIMIT_SHARED === "0" || setting?.value === "memory")
    return undefined;
  const fingerprint = keyFingerprint(apiKey);
  const file = () => {
    try {
      return new FileSlotStore(fingerprint);
    } catch {
      return undefined; // No writable cache dir: fall back to this process's own limiter.
    }
  };
  if (setting && setting.value !== "file")
    return new RedisSlotStore(fingerprint, setting, {
      fallback: () => file() ?? new MemorySlotStore(),
      notice,
    });
  return file();
}

/** Which store a setting chooses, in words (a Redis password shown as ***): what `clore config show` prints. */
export function describeSlotStore(setting: StoreSetting | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (env.CLORE_RATE_LIMIT_SHARED === "0" || setting?.value === "memory") return "memory (this process only)";
  if (!setting || setting.value === "file") return "file ledger (every process on this machine)";
  return `redis ${redactUrl(setting.value)} (every machine using the key)`;
}
