import type { Lane } from "../sdk";
import type { EmulatorOptions } from "./options";

/**
 * The API's budgets per key (docs/api-notes.md §3): 1 request/s on every endpoint and 1 per 5 s on
 * the "create" lane of the endpoint table. Counted per key fingerprint, in virtual time.
 */
export class RateLimitBook {
  private readonly last = new Map<string, { any: number; create: number }>();

  /** 0 if the request may run (and it is recorded), else the virtual ms until it could. */
  take(fingerprint: string, lane: Lane, now: number, o: EmulatorOptions): number {
    if (!o.rateLimit) return 0;
    const entry = this.last.get(fingerprint) ?? { any: -Infinity, create: -Infinity };
    const general = lane === "general" || o.createCountsTowardGeneral;
    const slack = o.rateLimitToleranceMs / o.timeScale;
    let wait = 0;
    if (general) wait = Math.max(wait, entry.any + o.generalIntervalMs - slack - now);
    if (lane === "create") wait = Math.max(wait, entry.create + o.createIntervalMs - slack - now);
    if (wait > 0 && !o.rejectedRequestsCount) return wait;
    if (general) entry.any = now;
    if (lane === "create") entry.create = now;
    this.last.set(fingerprint, entry);
    return Math.max(0, wait);
  }

  reset(): void {
    this.last.clear();
  }
}
