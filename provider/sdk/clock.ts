/** Time source for the limiter, backoff and polling, injectable so tests never sleep. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};

/**
 * A virtual clock: `sleep` advances time instantly and records the wait. The limiter
 * serializes its waits, so advancing on sleep keeps a faithful timeline of when each
 * request would have been sent.
 */
export class FakeClock implements Clock {
  private t: number;
  readonly sleeps: number[] = [];
  constructor(start = 1_700_000_000_000) {
    this.t = start;
  }
  now(): number {
    return this.t;
  }
  async sleep(ms: number): Promise<void> {
    const wait = Math.max(0, ms);
    this.sleeps.push(wait);
    this.t += wait;
    await Promise.resolve();
  }
  advance(ms: number): void {
    this.t += ms;
  }
}
