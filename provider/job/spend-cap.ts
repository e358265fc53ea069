import { type Clock, estimateCost, msUntilCap } from "../sdk";

/** How often the watch looks at the clock: arithmetic only, and the most a finished job waits for it. */
const CHECK_EVERY_MS = 1000;

export interface SpendCapSpec {
  capUsd: number;
  /** The order's spend in USD when it was read (`readAtMs`), and its USD price per day. */
  spentUsd: number;
  usdPerDay: number;
  readAtMs: number;
  /** Running kept in hand for stopping, downloading and destroying: the watch fires this early. */
  reserveMs: number;
  clock: Clock;
  /** Called once, with the estimated spend, when the job must stop. */
  onCap(spentUsd: number): void;
}

export interface SpendCapWatch {
  /** The estimated USD spend now. */
  spentUsd(): number;
  /** Settles once the watch fired or was stopped. */
  readonly done: Promise<void>;
  stop(): void;
}

/**
 * Keeps a job under its spend cap by arithmetic alone — the spend read once plus the price per
 * day for the time since, no API polling — and calls `onCap` `reserveMs` before the estimate
 * would reach the cap (at once if it is that close already).
 */
export function watchSpendCap(s: SpendCapSpec): SpendCapWatch {
  const spentAt = (t: number) => s.spentUsd + estimateCost(s.usdPerDay, t - s.readAtMs);
  const deadline = s.readAtMs + msUntilCap(s.capUsd, s.spentUsd, s.usdPerDay, s.reserveMs);
  let stopped = false;
  const done = (async () => {
    if (deadline === Number.POSITIVE_INFINITY) return;
    for (;;) {
      if (stopped) return;
      const left = deadline - s.clock.now();
      if (left <= 0) break;
      await s.clock.sleep(Math.min(left, CHECK_EVERY_MS));
    }
    stopped = true;
    s.onCap(spentAt(s.clock.now()));
  })();
  return {
    spentUsd: () => spentAt(s.clock.now()),
    done,
    stop: () => {
      stopped = true;
    },
  };
}
