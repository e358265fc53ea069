import { performance } from "node:perf_hooks";
import { checkTimeScale } from "./options";

/**
 * The emulator's clock: virtual ms since the epoch. It runs at 1/timeScale the speed of
 * real time and jumps forward on `advance`, so a test can either wait scaled real time or
 * move the clock. A timeScale change re-anchors, so time never jumps backwards.
 */
export class VirtualClock {
  private anchorReal = performance.now();
  private anchorVirtual = Date.now();
  private scale: number;

  constructor(private readonly timeScale: () => number) {
    this.scale = checkTimeScale(timeScale());
  }

  now(): number {
    const scale = this.timeScale();
    if (scale !== this.scale) {
      // Re-anchor at the old speed, then run at the new one.
      const real = performance.now();
      this.anchorVirtual += (real - this.anchorReal) / this.scale;
      this.anchorReal = real;
      this.scale = checkTimeScale(scale);
    }
    return this.anchorVirtual + (performance.now() - this.anchorReal) / this.scale;
  }

  advance(ms: number): void {
    if (!(ms >= 0) || !Number.isFinite(ms))
      throw new RangeError(`advance(ms): ms must be a finite number >= 0 (got ${ms})`);
    this.now();
    this.anchorVirtual += ms;
  }

  /** Real milliseconds until virtual time `at` (0 if it has passed). */
  realDelayUntil(at: number): number {
    return Math.max(0, (at - this.now()) * this.scale);
  }
}
