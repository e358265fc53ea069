import { statSync } from "node:fs";
import {
  DEFAULT_BASE_URL,
  type KeySource,
  RATE_LIMIT_STORE_ENV,
  describeEvents,
  describeSlotStore,
  eventsSetting,
  readConfigFile,
  resolveSettings,
  slotStoreSetting,
  writeConfigFile,
} from "../../sdk";
import { defineCommand, type CliCommand } from "../command";
import type { CliContext } from "../context";
import { CliError } from "../errors";
import { NONE, maskSecret } from "../format";
import type { ListResult, MessageResult } from "../render";

/** The keys the config file holds (the official Python SDK's `api_key`, plus `base_url`). */
const CONFIG_KEYS = ["api_key", "base_url"] as const;
type ConfigKey = (typeof CONFIG_KEYS)[number];

function checkKey(key: string): ConfigKey {
  if (!(CONFIG_KEYS as readonly string[]).includes(key)) {
    throw new CliError(`unknown config key ${JSON.stringify(key)}; the keys are ${CONFIG_KEYS.join(", ")}.`, {
      hint: "Example: clore config set api_key <key>",
    });
  }
  return key as ConfigKey;
}

async function readStdin(ctx: CliContext): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.io.stdin) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8").trim();
}

function checkValue(key: ConfigKey, value: string): string {
  if (!value)
    throw new CliError(`the value for ${key} is empty.`, { hint: `Example: clore config set ${key} <value>` });
  if (key === "base_url") {
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      url = undefined;
    }
    if (!url || !/^https?:$/.test(url.protocol)) {
      throw new CliError(`base_url must be an http(s) URL, got ${JSON.stringify(value)}.`, {
        hint: `Example: clore config set base_url ${DEFAULT_BASE_URL}`,
      });
    }
    return value.replace(/\/+$/, "");
  }
  if (/\s/.test(value))
    throw new CliError("api_key must not contain spaces or newlines.", {
      hint: "Copy the key again from clore.ai and run: clore config set api_key <key>",
    });
  return value;
}

const setCommand = defineCommand({
  name: "set",
  args: [
    { syntax: "<key>", description: `one of ${CONFIG_KEYS.join(", ")}` },
    { syntax: "<value>", description: 'the value; "-" reads it from stdin (keeps the key out of shell history)' },
  ],
  summary: "Set a value in ~/.clore/config.json",
  description:
    "Set a value in ~/.clore/config.json. The file is created readable by you only (mode 0600): it holds your API key.",
  examples: [
    "clore config set api_key abcd1234efgh5678",
    "pass show clore | clore config set api_key -",
    "clore config set base_url http://127.0.0.1:8080/v1",
  ],
  async run(ctx, args): Promise<MessageResult> {
    const key = checkKey(String(args[0]));
    const value = checkValue(key, args[1] === "-" ? await readStdin(ctx) : String(args[1]));
    const path = ctx.configPath;
    writeConfigFile({ ...readConfigFile(path), [key]: value }, path);
    const shown = key === "api_key" ? maskSecret(value) : value;
    return {
      kind: "message",
      json: { key, value: shown, path },
      text: `Saved ${key} = ${shown} in ${path} (mode 0600).`,
    };
  },
});

const getCommand = defineCommand({
  name: "get",
  args: [{ syntax: "<key>", description: `one of ${CONFIG_KEYS.join(", ")}` }],
  summary: "Print a value from ~/.clore/config.json",
  description: "Print one value from ~/.clore/config.json as is (unmasked), for scripts.",
  examples: ["clore config get base_url", 'export CLORE_API_KEY="$(clore config get api_key)"'],
  run(ctx, args): MessageResult {
    const key = checkKey(String(args[0]));
    const path = ctx.configPath;
    const value = readConfigFile(path)[key];
    if (typeof value !== "string" || !value) {
      throw new CliError(`${key} is not set in ${path}.`, { hint: `Set it with: clore config set ${key} <value>` });
    }
    return { kind: "message", json: { key, value }, text: value };
  },
});

interface ShownSetting {
  key: string;
  value: string;
  source: string;
}

const showCommand = defineCommand({
  name: "show",
  summary: "Show the settings clore would use, and where each comes from",
  description:
    "Show the API key (masked like abcd…wxyz) and base URL that commands would use, and where each comes from: " +
    "--api-key/--base-url, CLORE_API_KEY/CLORE_BASE_URL, the config file, or the default; and which rate-limit store " +
    `the key's limits are kept in (${RATE_LIMIT_STORE_ENV}: file, memory or a redis:// URL shared by every machine on the key).`,
  examples: ["clore config show", "CLORE_API_KEY=… clore config show --json"],
  run(ctx): ListResult<ShownSetting> {
    const path = ctx.configPath;
    // The SDK's own lookup, so what is shown is what commands use.
    const settings = resolveSettings({
      apiKey: ctx.globals.apiKey,
      baseUrl: ctx.globals.baseUrl,
      env: ctx.env,
      configPath: path,
    });
    const label = (source: KeySource | "default" | undefined, flag: string, envName: string) =>
      source === "option" ? flag : source === "env" ? envName : source === "config-file" ? path : (source ?? "not set");
    const key = { value: settings.apiKey, source: label(settings.keySource, "--api-key", "CLORE_API_KEY") };
    const url = { value: settings.baseUrl, source: label(settings.baseUrlSource, "--base-url", "CLORE_BASE_URL") };
    let mode: string | undefined;
    try {
      mode = (statSync(path).mode & 0o777).toString(8).padStart(4, "0");
    } catch {
      mode = undefined;
    }
    const store = slotStoreSetting(undefined, ctx.env);
    const storeShown = describeSlotStore(store, ctx.env);
    const storeSource =
      ctx.env.CLORE_RATE_LIMIT_SHARED === "0" ? "CLORE_RATE_LIMIT_SHARED=0" : (store?.source ?? "default");
    const events = eventsSetting(undefined, ctx.env);
    const eventsShown = describeEvents(events);
    const rows: ShownSetting[] = [
      { key: "api_key", value: maskSecret(key.value), source: key.source },
      { key: "base_url", value: url.value ?? NONE, source: url.source },
      { key: "rate_limit_store", value: storeShown, source: storeSource },
      { key: "events", value: eventsShown, source: events?.source ?? "default" },
    ];
    const warnings =
      mode && mode !== "0600"
        ? [`${path} has mode ${mode}; it holds your API key. Fix it with: chmod 600 ${path}`]
        : undefined;
    return {
      kind: "list",
      json: {
        path,
        exists: mode !== undefined,
        mode: mode ?? null,
        api_key: key.value ? maskSecret(key.value) : null,
        api_key_source: key.value ? key.source : null,
        base_url: url.value ?? null,
        base_url_source: url.source,
        rate_limit_store: storeShown,
        rate_limit_store_source: storeSource,
        events: eventsShown,
        events_source: events?.source ?? "default",
      },
      header: [["Config file", `${path}${mode ? ` (mode ${mode})` : " (not created yet)"}`]],
      rows,
      columns: [
        { header: "Key", value: (r) => r.key },
        { header: "Value", value: (r) => r.value },
        { header: "From", value: (r) => r.source },
      ],
      empty: "",
      notes: key.value ? undefined : ["No API key yet. Set one with: clore config set api_key <key>"],
      warnings,
    };
  },
});

export const configCommand: CliCommand = {
  name: "config",
  summary: "Read and write ~/.clore/config.json (api_key, base_url)",
  description:
    "Read and write ~/.clore/config.json. Keys: api_key, base_url. Commands look for settings in this order: " +
    "--api-key/--base-url, then CLORE_API_KEY/CLORE_BASE_URL, then this file.",
  examples: ["clore config set api_key <key>", "clore config get api_key", "clore config show"],
  subcommands: [setCommand, getCommand, showCommand],
};
