import { isDeepStrictEqual } from "node:util";
import { type CloreClient, FieldError } from "../../sdk";
import type { CheckResult, CreateResult, DiffResult, PropertyBag, ReadResult, UpdateResult } from "../contract";
import { engineLog } from "../engine-log";
import { withProvider } from "../partial-error";
import { checkRateLimitStore, currentClient } from "../runtime";
import { checkInputs, isUnknown } from "../validation";
import { decodeInputs, decodeState, encodeOutputs } from "./door";
import {
  type ServerSettingsOutputs,
  ServerSettingsInputs,
  SettingsSnapshot,
  mergeSettings,
  observed,
  snapshotFromConfig,
} from "./schema";

/** The settings this resource manages: the snapshot's fields (what diff compares, beside onDelete). */
const MANAGED = Object.keys(SettingsSnapshot.shape);

export async function check(_olds: PropertyBag, news: PropertyBag): Promise<CheckResult> {
  await checkRateLimitStore();
  return checkInputs(ServerSettingsInputs, news);
}

/**
 * Pure: settings change in place; another server name means another resource. It compares the
 * bags as sent: at preview a new value may still be unknown, which counts as a change.
 */
function diffSettings(olds: PropertyBag, news: PropertyBag): { changes: boolean; replaces: string[] } {
  const differs = (k: string) => isUnknown(news[k]) || !isDeepStrictEqual(olds[k] ?? undefined, news[k] ?? undefined);
  const replaces = differs("name") ? ["name"] : [];
  const changes = replaces.length > 0 || [...MANAGED, "onDelete"].some(differs);
  return { changes, replaces };
}

export async function diff(_id: string, olds: PropertyBag, news: PropertyBag): Promise<DiffResult> {
  return diffSettings(olds, news);
}

async function live(
  client: CloreClient,
  name: string,
): Promise<{ snapshot: SettingsSnapshot; serverId?: number; online?: boolean }> {
  const config = await client.serverConfig(name).catch(async (e) => {
    throw await notHosted(client, name, e);
  });
  return { snapshot: snapshotFromConfig(config), serverId: config.id ?? undefined, online: config.online ?? undefined };
}

/**
 * server_config on a name the key does not host fails with an opaque code 6: name the
 * servers it does host and what to change.
 */
async function notHosted(client: CloreClient, name: string, e: unknown): Promise<unknown> {
  if (!(e instanceof FieldError) || !/not[_-]?found|unknown|no[_-]?such/i.test(e.apiError ?? "")) return e;
  const hosted = await client.myServers().then(
    (servers) => servers.map((s) => s.name).filter(Boolean),
    () => undefined,
  );
  const which =
    hosted === undefined ? "" : hosted.length ? ` It hosts: ${hosted.join(", ")}.` : " It hosts no servers.";
  return new Error(
    `this API key does not host a server named "${name}".${which} Set \`name\` to one of them (\`clore servers\` lists them), or use the key of the account that hosts it.`,
    { cause: e },
  );
}

async function apply(client: CloreClient, name: string, s: SettingsSnapshot): Promise<void> {
  await client.setServerSettings({
    name,
    availability: s.availability,
    mrl: s.mrl,
    onDemandPrices: s.onDemandPrices,
    spotPrices: s.spotPrices,
    enabledCurrencies: s.enabledCurrencies.length ? s.enabledCurrencies : undefined,
    autoprice: s.autoprice,
    usdPricing: s.usdPricing,
  });
}

/** create: capture the settings being replaced (for "restore"), then apply ours. */
export async function create(props: PropertyBag): Promise<CreateResult> {
  const i = decodeInputs(props);
  const client = currentClient();
  const before = await live(client, i.name);
  await apply(client, i.name, mergeSettings(before.snapshot, i));
  void engineLog("info", `clore: applied settings to server ${i.name}`);
  const outs: ServerSettingsOutputs = {
    ...i,
    serverId: before.serverId,
    online: before.online,
    previous: before.snapshot,
  };
  return { id: i.name, outs: encodeOutputs(outs) };
}

/** read: the live values of the declared fields, so drift shows in the next diff. */
export async function read(id: string, props: PropertyBag = {}): Promise<ReadResult> {
  const client = currentClient();
  const now = await live(client, id);
  const old = decodeState(props);
  const desired = old.name ? decodeInputs(props) : decodeInputs({ name: id });
  const previous = old.previous ?? now.snapshot;
  const outs = { ...desired, ...observed(desired, now.snapshot), serverId: now.serverId, online: now.online, previous };
  return { id, props: withProvider(encodeOutputs(outs), props) };
}

export async function update(_id: string, olds: PropertyBag, news: PropertyBag): Promise<UpdateResult> {
  const i = decodeInputs(news);
  const client = currentClient();
  const now = await live(client, i.name);
  await apply(client, i.name, mergeSettings(now.snapshot, i));
  const previous = decodeState(olds).previous ?? now.snapshot;
  return { outs: encodeOutputs({ ...i, serverId: now.serverId, online: now.online, previous }) };
}

/** delete: restore (default), keep, or unlist, as `onDelete` says. */
export async function remove(id: string, props: PropertyBag): Promise<void> {
  const old = decodeState(props);
  const onDelete = old.onDelete ?? "restore";
  if (onDelete === "keep") return;
  const client = currentClient();
  const now = await live(client, id);
  const target =
    onDelete === "unlist" ? { ...now.snapshot, availability: false } : mergeSettings(now.snapshot, old.previous ?? {});
  await apply(client, id, target);
  void engineLog(
    "info",
    `clore: ${onDelete === "unlist" ? "unlisted" : "restored the earlier settings of"} server ${id}`,
  );
}
