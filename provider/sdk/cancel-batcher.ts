import type { CloreClient } from "./client";
import { LIMITS } from "./fields";

/**
 * Coalesces cancels: ids asked for within `windowMs` of each other go out as one
 * cancel_orders call (≤ 64 ids each); ids the batch reports as failed are retried one by
 * one with cancel_order, whose error (or success) goes back to that id's caller.
 * `pulumi destroy` of N orders then costs ⌈N/64⌉ calls instead of N.
 */
export class CancelBatcher {
  private queue: { id: number; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly client: CloreClient,
    private readonly windowMs = 200,
  ) {}

  cancel(orderId: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ id: orderId, resolve, reject });
      this.timer ??= setTimeout(() => void this.flush(), this.windowMs);
    });
  }

  private async flush(): Promise<void> {
    const batch = this.queue.splice(0, LIMITS.cancelBatch);
    this.timer = this.queue.length ? setTimeout(() => void this.flush(), 0) : undefined;
    if (batch.length === 1) {
      const [only] = batch;
      return this.client.cancelOrder(only!.id).then(() => only!.resolve(), only!.reject);
    }
    let failed: Set<number>;
    try {
      failed = new Set((await this.client.cancelOrders(batch.map((b) => b.id))).failedToCancel);
    } catch {
      // The batch call itself failed: fall back to one cancel per id for exact errors.
      failed = new Set(batch.map((b) => b.id));
    }
    await Promise.all(
      batch.map((b) =>
        failed.has(b.id) ? this.client.cancelOrder(b.id).then(() => b.resolve(), b.reject) : b.resolve(),
      ),
    );
  }
}
