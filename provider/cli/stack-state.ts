import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { type PendingOrder, parsePendingHandle } from "../sdk";
import { CliError } from "./errors";

/**
 * Which Clore orders Pulumi stacks know about, read from stack state files. Two layouts:
 * `pulumi stack export` → `{ deployment: { resources, pending_operations } }`, and the
 * local backend's checkpoint → `{ checkpoint: { latest: { resources, pending_operations } } }`.
 */

const DYNAMIC_RESOURCE_TYPE = "pulumi-nodejs:dynamic:Resource";
/** CloreOrder's own type token (`pulumi-nodejs:dynamic/clore:Order`) and any other dynamic resource. */
const isDynamic = (type: string | undefined) =>
  type === DYNAMIC_RESOURCE_TYPE || Boolean(type?.startsWith("pulumi-nodejs:dynamic/"));

export interface KnownOrder {
  orderId: number;
  urn: string;
  /** When the order's ttl/expiresAt says it must end (CloreOrder output `expiresOn`). */
  expiresOn?: string;
}

/**
 * A create the engine started but never recorded as finished (an interrupted `pulumi up`), or
 * a `pending:<serverId>:<since>` handle the provider kept in state (a create whose order it
 * could not identify; `since` set): orders on that server created since then belong to the
 * stack, which adopts them on its next refresh.
 */
export interface PendingCreate extends Partial<PendingOrder> {
  urn: string;
}

export interface StackOrders {
  /** The file it was read from. */
  source: string;
  /** `project/stack` from the resource URNs (or the checkpoint's name), when known. */
  stack?: string;
  orders: KnownOrder[];
  pendingCreates: PendingCreate[];
}

interface StateResource {
  urn?: string;
  type?: string;
  id?: string;
  custom?: boolean;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}

function asNumber(v: unknown): number | undefined {
  const n = typeof v === "number" ? v : typeof v === "string" && /^\d+$/.test(v) ? Number(v) : NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/**
 * The order id a resource holds, if it is a Clore order: any resource whose outputs have
 * a numeric `orderId`, or a dynamic-provider resource with a `serverId` output whose
 * Pulumi id is the order id (how our provider records orders).
 */
export function orderIdOf(r: StateResource): number | undefined {
  const outputs = r.outputs ?? {};
  const fromOutputs = asNumber(outputs.orderId);
  if (fromOutputs !== undefined) return fromOutputs;
  if (isDynamic(r.type) && outputs.serverId !== undefined) return asNumber(r.id);
  return undefined;
}

/** `urn:pulumi:dev::gpu-farm::…` → `gpu-farm/dev`. */
function stackFromUrn(urn: string | undefined): string | undefined {
  const m = /^urn:pulumi:([^:]+)::([^:]+)::/.exec(urn ?? "");
  return m ? `${m[2]}/${m[1]}` : undefined;
}

/** What a state document may hold (either layout); anything may be missing or of another shape. */
interface StateDocument {
  checkpoint?: { latest?: Deployment | null; stack?: unknown };
  deployment?: Deployment;
}
interface Deployment {
  resources?: StateResource[];
  pending_operations?: Array<{ type?: string; resource?: StateResource }>;
}

/** Parse one state document (either layout). Throws CliError on anything else. */
export function ordersInState(doc: unknown, source: string): StackOrders {
  const d = (doc ?? {}) as StateDocument;
  let deployment: Deployment | null | undefined;
  let name: string | undefined;
  if (d.checkpoint && typeof d.checkpoint === "object") {
    deployment = d.checkpoint.latest; // null for a stack that was never deployed
    name = typeof d.checkpoint.stack === "string" ? d.checkpoint.stack : undefined;
  } else if (d.deployment && typeof d.deployment === "object") {
    deployment = d.deployment;
  } else {
    throw new CliError(`${source} is not a Pulumi stack state (no "deployment" or "checkpoint" object).`, {
      hint: "Export one with: pulumi stack export --file state.json",
    });
  }
  const resources = Array.isArray(deployment?.resources) ? deployment.resources : [];
  const pending = Array.isArray(deployment?.pending_operations) ? deployment.pending_operations : [];
  const orders: KnownOrder[] = [];
  const pendingCreates: PendingCreate[] = [];
  for (const r of resources) {
    const handle = parsePendingHandle(r.id);
    if (handle) {
      pendingCreates.push({ urn: r.urn ?? "", ...handle });
      continue;
    }
    const orderId = orderIdOf(r);
    const expiresOn = typeof r.outputs?.expiresOn === "string" ? r.outputs.expiresOn : undefined;
    if (orderId !== undefined) orders.push({ orderId, urn: r.urn ?? "", ...(expiresOn ? { expiresOn } : {}) });
  }
  for (const op of pending) {
    const r = op.resource ?? {};
    // A pending op whose resource already has an id is known; only id-less creates are lost.
    if (op.type !== "creating") continue;
    const known = orderIdOf(r);
    if (known !== undefined) {
      orders.push({ orderId: known, urn: r.urn ?? "" });
      continue;
    }
    if (!isDynamic(r.type) && r.inputs?.serverId === undefined) continue;
    pendingCreates.push({ urn: r.urn ?? "", serverId: asNumber(r.inputs?.serverId) });
  }
  const stack = stackFromUrn(resources[0]?.urn ?? pending[0]?.resource?.urn) ?? name;
  return { source, stack, orders, pendingCreates };
}

export function readStateFile(path: string): StackOrders {
  let text: string;
  try {
    const raw = readFileSync(path);
    text = path.endsWith(".gz") ? gunzipSync(raw).toString("utf8") : raw.toString("utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(
      `cannot read stack state ${path}: ${code === "ENOENT" ? "no such file" : (code ?? (e as Error).message)}.`,
      {
        hint: "Export the stack with: pulumi stack export --file state.json   (then pass --state state.json)",
      },
    );
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new CliError(`${path} is not valid JSON (${(e as Error).message}).`, {
      hint: "Export the stack again with: pulumi stack export --file state.json",
    });
  }
  return ordersInState(doc, path);
}

function walk(dir: string, out: string[]): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) walk(p, out);
    // Stack files only: the backend also keeps `*.json.bak` copies beside them.
    else if (entry.isFile() && (entry.name.endsWith(".json") || entry.name.endsWith(".json.gz"))) out.push(p);
  }
}

/**
 * Stack files of a local (`pulumi login file://DIR`) backend: `DIR/.pulumi/stacks/**\/*.json`.
 * DIR may also be the `.pulumi` folder itself.
 */
export function findStackFiles(dir: string): string[] {
  const candidates = [join(dir, ".pulumi", "stacks"), join(dir, "stacks")];
  const stacksDir = candidates.find((c) => existsSync(c) && statSync(c).isDirectory());
  if (!stacksDir) {
    if (!existsSync(dir))
      throw new CliError(`--backend-dir ${dir} does not exist.`, {
        hint: "Pass the directory you used with: pulumi login file://DIR",
      });
    throw new CliError(`${dir} is not a Pulumi local backend: there is no ${candidates[0]} folder.`, {
      hint: "Pass the directory you used with `pulumi login file://DIR`, or export stacks with `pulumi stack export --file s.json` and use --state.",
    });
  }
  const files: string[] = [];
  walk(stacksDir, files);
  return files.sort();
}
