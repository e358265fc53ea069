import { type Clock, systemClock } from "../clock";
import { FileSlotStore } from "./file-store";
import { keyFingerprint, type SlotStore } from "./rate-limiter";

/**
 * The one place that chooses where a key's slots are kept (the *slot store*):
 * - memory: a fake clock keeps its own timeline, or CLORE_RATE_LIMIT_SHARED=0 opts out;
 * - file: real clocks share the key's budget with every process on the machine.
 * Returns undefined for memory (the limiter's default).
 */
export function chooseSlotStore(apiKey: string | undefined, clock: Clock): SlotStore | undefined {
  if (clock !== systemClock || process.env.CLORE_RATE_LIMIT_SHARED === "0") return undefined;
  try {
    return new FileSlotStore(keyFingerprint(apiKey));
  } catch {
    return undefined; // No writable cache dir: fall back to this process's own limiter.
  }
}
