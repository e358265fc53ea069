import { isAbsolute } from "node:path";
import { ValidationError } from "../errors";

/** The environment variable that turns events on: comma-separated sinks. */
export const EVENTS_ENV = "CLORE_EVENTS";
/** The same setting as Pulumi provider config (dynamic providers, the plugin, a job's stack). */
export const EVENTS_CONFIG = "clore:events";

/** Where a setting came from, for errors: "clore:events", "CLORE_EVENTS", "the events option". */
export interface EventsSetting {
  value: string;
  source: string;
}

/** One place events go. */
export type SinkSpec = { kind: "stdout" } | { kind: "file"; path: string } | { kind: "webhook"; url: string };

/**
 * The one parser of the events setting (env CLORE_EVENTS, config clore:events, runJob's
 * `events`): `stdout`, `file:/abs/path` and `https://…` / `http://…` URLs, comma-separated.
 * A malformed entry throws a ValidationError naming the setting; a URL is never echoed (a
 * Slack webhook URL is a secret), only its scheme and host.
 */
export function parseEventsSetting(setting: EventsSetting): SinkSpec[] {
  const entries = setting.value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const fail = (message: string): never => {
    throw new ValidationError("events", [{ path: setting.source, message }]);
  };
  if (!entries.length) fail("is empty: expected stdout, file:/path or an http(s):// webhook URL, comma-separated");
  return entries.map((entry): SinkSpec => {
    if (entry === "stdout") return { kind: "stdout" };
    if (entry.startsWith("file:")) {
      const path = entry.slice("file:".length);
      if (!isAbsolute(path))
        fail(`file sink needs an absolute path, like file:/var/log/clore-events.jsonl (got ${JSON.stringify(entry)})`);
      return { kind: "file", path };
    }
    if (/^https?:/i.test(entry)) {
      let url: URL | undefined;
      try {
        url = new URL(entry);
      } catch {
        url = undefined;
      }
      if (!url?.hostname) fail(`is not a valid webhook URL (${entry.split(":")[0]}://…)`);
      return { kind: "webhook", url: url!.href };
    }
    return fail(
      `expected stdout, file:/path or an http(s):// webhook URL, comma-separated (got ${JSON.stringify(redactEntry(entry))})`,
    );
  });
}

/** The setting in force: the given one (config, option), else CLORE_EVENTS; undefined when events are off. */
export function eventsSetting(
  option: EventsSetting | undefined,
  env: NodeJS.ProcessEnv = process.env,
): EventsSetting | undefined {
  if (option?.value) return option;
  const value = env[EVENTS_ENV];
  return value ? { value, source: EVENTS_ENV } : undefined;
}

/** Where events go, in words (`clore config show`): "off", the sinks (webhooks by host only), or why the setting is invalid. */
export function describeEvents(setting: EventsSetting | undefined): string {
  if (!setting) return "off";
  try {
    return parseEventsSetting(setting).map(describeSink).join(", ");
  } catch (e) {
    return `invalid: ${(e instanceof Error ? e.message : String(e)).split("\n")[0]}`;
  }
}

/** A sink as logs may show it: a webhook by scheme and host only. */
export function describeSink(s: SinkSpec): string {
  if (s.kind === "stdout") return "stdout";
  if (s.kind === "file") return `file:${s.path}`;
  const u = new URL(s.url);
  return `${u.protocol}//${u.host}/…`;
}

function redactEntry(entry: string): string {
  return entry.length > 40 ? `${entry.slice(0, 12)}…` : entry;
}
