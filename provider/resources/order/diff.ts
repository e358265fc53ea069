import { isDeepStrictEqual } from "node:util";
import { isUnknown } from "../validation";
import {
  ORDER_DEFAULTS,
  REPLACE_ON,
  Selection,
  UPDATE_IN_PLACE,
  type OrderInputsResolved,
  type OrderOutputs,
} from "./schema";
import { satisfies } from "./selection";
import { TTL_EXPIRED, isPast } from "./ttl";

export interface OrderDiff {
  changes: boolean;
  replaces: string[];
  /** Inputs that change in place. */
  updates: string[];
  deleteBeforeReplace: boolean;
}

/** Old state may predate an input with a default: assume the default, so it never diffs by itself. */
function normalized<T extends Partial<OrderInputsResolved>>(v: T): T {
  const out = { ...ORDER_DEFAULTS, ...v };
  for (const k of Object.keys(out) as (keyof T)[]) if (out[k] === null) delete out[k];
  return out;
}

const normSelect = (s: unknown) => (s === undefined || isUnknown(s) ? s : (Selection.safeParse(s).data ?? s));

/**
 * Pure diff of a CloreOrder: old outputs against new inputs, at time `now`.
 *
 * - Anything create_order took replaces the order; a server holds one order at a time, so
 *   when the server stays the same the old order goes first (delete-before-replace).
 * - Find-and-rent (`select`): the chosen server stays chosen. Changed criteria replace the
 *   order only if the rented server no longer satisfies them; a cheaper server appearing
 *   changes nothing.
 * - TTL: an order past its expiry is an in-place change (update cancels it); a cancelled
 *   one is replaced only if its ttl/expiresAt changes.
 * - Key rotation and provider upgrades change none of this, so they never cause a diff.
 */
/** New inputs as check returns them: `select` still without its defaults. */
export type DiffInputs = Omit<Partial<OrderInputsResolved>, "select"> & { select?: unknown };

export function diffOrder(oldOutputs: Partial<OrderOutputs>, newInputs: DiffInputs, now = Date.now()): OrderDiff {
  const olds = normalized(oldOutputs as Partial<OrderInputsResolved>) as Partial<OrderOutputs>;
  const news = normalized(newInputs as Partial<OrderInputsResolved>);
  const oldIn = olds as Partial<OrderInputsResolved>;
  const differs = (k: keyof OrderInputsResolved) => isUnknown(news[k]) || !isDeepStrictEqual(oldIn[k], news[k]);
  const bySelection = news.select !== undefined && news.serverId === undefined;

  const replaces: string[] = REPLACE_ON.filter((k) => !(k === "serverId" && bySelection) && differs(k));
  const updates: string[] = UPDATE_IN_PLACE.filter(differs);

  if (!isDeepStrictEqual(normSelect(oldIn.select), normSelect(news.select))) {
    const keep =
      bySelection && !isUnknown(news.select) && oldIn.select !== undefined && satisfies(olds.server, news.select);
    (keep ? updates : replaces).push("select");
  }

  if (olds.status === TTL_EXPIRED) {
    // Cancelled by its TTL: only a new ttl/expiresAt brings the order back.
    const renewed: string[] = updates.filter((k) => k === "ttl" || k === "expiresAt");
    updates.splice(0, updates.length, ...updates.filter((k) => !renewed.includes(k)));
    replaces.push(...renewed);
  } else if (isPast(olds.expiresOn, now) && !updates.some((k) => k === "ttl" || k === "expiresAt")) {
    updates.push("expiresOn");
  }

  // A create whose order was never identified left no order id: replace it with a real one.
  if (olds.orderId === undefined && !replaces.length) replaces.push("orderId");
  const sameServer = bySelection || isUnknown(news.serverId) || olds.serverId === news.serverId;
  return {
    changes: replaces.length > 0 || updates.length > 0,
    replaces,
    updates,
    deleteBeforeReplace: replaces.length > 0 && sameServer,
  };
}
