import { isDeepStrictEqual } from "node:util";
import { type CloreClient, FieldError } from "../../sdk";
import { engineLog } from "../engine-log";
import { withProvider } from "../partial-error";
import { checkRateLimitStore, currentClient } from "../runtime";
import { type CheckFailure, checkInputs, isUnknown } from "../validation";
import {
  type ServerSettingsOutputs,
  ServerSettingsInputs,
  type ServerSettingsResolved,
  SettingsSnapshot,
  mergeSettings,
  observed,
  snapshotFromConfig,
} from "./schema";

type Props = Record<string, unknown>;
/** The settings this resource manages: the snapshot's fields. */
const MANAGED = Object.keys(SettingsSnapshot.shape) as (keyof SettingsSnapshot)[];

function resolved(props: Props): ServerSettingsResolved {
  const known = Object.fromEntries(
    Object.entries(props).filter(([k, v]) => k in ServerSettingsInputs.shape && v !== null),
  );
  return ServerSettingsInputs.parse(known);
}

export async function check(_olds: Props, news: Props): Promise<{ inputs?: Props; failures?: CheckFailure[] }> {
  await checkRateLimitStore();
  return checkInputs(ServerSettingsInputs, news);
}

/** Pure: settings change in place; another server name means another resource. */
function diffSettings(olds: Props, news: Props): { changes: boolean; replaces: string[] } {
  const differs = (k: string) => isUnknown(news[k]) || !isDeepStrictEqual(olds[k] ?? undefined, news[k] ?? undefined);
  const replaces = differs("name") ? ["name"] : [];
  const changes = replaces.length > 0 || [...MANAGED, "onDelete"].some(differs);
  return { changes, replaces };
}

export async function diff(_id: string, olds: Props, news: Props) {
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
export async function create(props: Props): Promise<{ id: string; outs: Props }> {
  const i = resolved(props);
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
  return { id: i.name, outs: outs as unknown as Props };
}

/** read: the live values of the declared fields, so drift shows in the next diff. */
export async function read(id: string, props: Props = {}): Promise<{ id?: string; props?: Props }> {
  const client = currentClient();
  const now = await live(client, id);
  const desired = props.name ? resolved(props) : resolved({ name: id });
  const previous = (props.previous as SettingsSnapshot | undefined) ?? now.snapshot;
  const outs = { ...desired, ...observed(desired, now.snapshot), serverId: now.serverId, online: now.online, previous };
  return { id, props: withProvider(outs, props) };
}

export async function update(_id: string, olds: Props, news: Props): Promise<{ outs: Props }> {
  const i = resolved(news);
  const client = currentClient();
  const now = await live(client, i.name);
  await apply(client, i.name, mergeSettings(now.snapshot, i));
  return { outs: { ...i, serverId: now.serverId, online: now.online, previous: olds.previous ?? now.snapshot } };
}

/** delete: restore (default), keep, or unlist, as `onDelete` says. */
export async function remove(id: string, props: Props): Promise<void> {
  const onDelete = (props.onDelete as string | undefined) ?? "restore";
  if (onDelete === "keep") return;
  const client = currentClient();
  const now = await live(client, id);
  const target =
    onDelete === "unlist"
      ? { ...now.snapshot, availability: false }
      : mergeSettings(now.snapshot, (props.previous ?? {}) as Partial<ServerSettingsResolved>);
  await apply(client, id, target);
  void engineLog(
    "info",
    `clore: ${onDelete === "unlist" ? "unlisted" : "restored the earlier settings of"} server ${id}`,
  );
}
