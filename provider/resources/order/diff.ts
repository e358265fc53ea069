import { isDeepStrictEqual } from "node:util";
import { isUnknown } from "../validation";
import { REPLACE_ON, UPDATE_IN_PLACE, type OrderInputsResolved, type OrderOutputs } from "./schema";

export interface OrderDiff {
  changes: boolean;
  replaces: string[];
  /** Inputs that change in place. */
  updates: string[];
  deleteBeforeReplace: boolean;
}

/** Defaults of inputs added after an order was created, so old state never diffs by itself. */
const DEFAULTS: Partial<OrderInputsResolved> = { type: "on-demand", waitForReady: true, readyTimeout: 600 };

function normalized<T extends Partial<OrderInputsResolved>>(v: T): T {
  const out = { ...DEFAULTS, ...v };
  for (const k of Object.keys(out) as (keyof T)[]) if (out[k] === null) delete out[k];
  return out;
}

/**
 * Pure diff of a CloreOrder: old outputs against new inputs. Anything create_order took
 * replaces the order; a server holds one order at a time, so when the server stays the same
 * the old order must go first (delete-before-replace). Key rotation and provider upgrades
 * change neither list, so they never cause a diff.
 */
export function diffOrder(oldOutputs: Partial<OrderOutputs>, newInputs: Partial<OrderInputsResolved>): OrderDiff {
  const olds = normalized(oldOutputs);
  const news = normalized(newInputs);
  const differs = (k: keyof OrderInputsResolved) => isUnknown(news[k]) || !isDeepStrictEqual(olds[k], news[k]);
  const replaces: string[] = REPLACE_ON.filter(differs);
  const updates: string[] = UPDATE_IN_PLACE.filter(differs);
  // A create whose order was never identified left no order id: replace it with a real one.
  if (olds.orderId === undefined && !replaces.length) replaces.push("orderId");
  const sameServer = isUnknown(news.serverId) || olds.serverId === news.serverId;
  return {
    changes: replaces.length > 0 || updates.length > 0,
    replaces,
    updates,
    deleteBeforeReplace: replaces.length > 0 && sameServer,
  };
}
