import { engineLog } from "../engine-log";

/**
 * One warning for every order a refresh could not account for: the resources of one refresh
 * read at once, so the ids that come in within a short window are named together. Each read
 * waits for the warning to be sent, so it reaches the engine before the operation ends.
 */
const WINDOW_MS = 100;

interface Batch {
  ids: string[];
  reasons: Set<string>;
  sent: Promise<void>;
}

let batch: Batch | undefined;

export function warnUnknownOrder(id: string, reason: string): Promise<void> {
  if (!batch) {
    const b: Batch = { ids: [], reasons: new Set(), sent: Promise.resolve() };
    b.sent = new Promise((resolve) => setTimeout(resolve, WINDOW_MS)).then(() => {
      if (batch === b) batch = undefined;
      return engineLog("warning", unknownOrdersMessage(b.ids, [...b.reasons]));
    });
    batch = b;
  }
  batch.ids.push(id);
  batch.reasons.add(reason);
  return batch.sent;
}

export function unknownOrdersMessage(ids: string[], reasons: string[]): string {
  const which = ids.length === 1 ? `order ${ids[0]}` : `orders ${ids.join(", ")}`;
  return (
    `clore: could not tell whether ${which} ${ids.length === 1 ? "is" : "are"} still running (${reasons.join("; ")}). ` +
    `${ids.length === 1 ? "It stays" : "They stay"} in the stack unchanged and may still bill you; nothing is rented again because of it. ` +
    "Check with `clore orders` (or `clore orders --completed`) and run `pulumi refresh` again later."
  );
}
