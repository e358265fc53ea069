import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import type { Emulator } from "../../provider/emulator";
import { CloreClient, RateLimiter } from "../../provider/sdk";
import { sampleOrder } from "./emulator";

/** What a day-2 run needs from a project: its pulumi command and a way past the marketplace cache. */
export interface DayTwoProject {
  emu: Emulator;
  /** `pulumi <args>` in the project; must fail the test on a non-zero exit. */
  pulumi(args: string): Promise<unknown>;
  /** Forget the program's marketplace answers, as 60 s passing would (the disk cache's TTL). */
  pastMarketplaceCache(): void;
}

/** A test stack (test/pulumi/harness.ts) as a day-2 project: its cache is CLORE_CACHE_DIR. */
export function stackProject(
  emu: Emulator,
  stack: { env: NodeJS.ProcessEnv; pulumi(args: string[]): Promise<unknown> },
): DayTwoProject {
  return {
    emu,
    pulumi: (args) => stack.pulumi(args.split(" ")),
    pastMarketplaceCache: () => rmSync(String(stack.env.CLORE_CACHE_DIR), { recursive: true, force: true }),
  };
}

const activeIds = (emu: Emulator) =>
  emu
    .activeOrders()
    .map((o) => o.id)
    .sort((a, b) => a - b);

/**
 * The stack's second day: after a healthy `up`, the world moves on — another stack of the same
 * key rents a server and cancels it, and then every server but the ones this stack rented is
 * taken (so a program that picked `cheapest` would find no match) — and the marketplace cache
 * has expired. preview, up and refresh must change nothing and rent nothing; destroy leaves
 * no order active.
 */
export async function dayTwo(p: DayTwoProject): Promise<void> {
  const held = activeIds(p.emu);
  await anotherStackRentsAndCancels(p.emu);
  const restore = takeEveryOtherServer(p.emu);
  try {
    p.pastMarketplaceCache();
    await p.pulumi("preview --expect-no-changes");
    await p.pulumi("up --yes --skip-preview --expect-no-changes");
    await p.pulumi("refresh --yes --skip-preview --expect-no-changes");
    assert.deepEqual(activeIds(p.emu), held, "day 2 replaced or added an order");
  } finally {
    restore();
  }
  await p.pulumi("destroy --yes --skip-preview");
  assert.deepEqual(p.emu.activeOrders(), [], "destroy left an order active");
}

/** The same key rents the cheapest free server and cancels it again (another stack's short job). */
async function anotherStackRentsAndCancels(emu: Emulator): Promise<void> {
  const client = new CloreClient({
    apiKey: emu.apiKey,
    baseUrl: emu.url,
    rateLimiter: new RateLimiter({ limits: { minIntervalMs: 60, createIntervalMs: 300 } }),
  });
  try {
    const own = new Set((await client.myServers()).map((s) => s.id));
    const free = (await client.marketplace({ availableOnly: true }))
      .filter((s) => !own.has(s.id) && s.allowed_coins?.includes("USD-Blockchain"))
      .sort((a, b) => (a.priceUsdPerDay ?? Infinity) - (b.priceUsdPerDay ?? Infinity));
    // The cheapest free server that takes the order (some listed ones are offline).
    for (const server of free) {
      const order = await client.createOrder(sampleOrder(server.id)).catch(() => undefined);
      if (!order) continue;
      await client.cancelOrder(order.id);
      return;
    }
    throw new Error("day 2: no free server took the other stack's order");
  } finally {
    await client.close();
  }
}

/** Every server this stack does not hold shows as rented by someone else; returns the undo. */
function takeEveryOtherServer(emu: Emulator): () => void {
  const mine = new Set(emu.activeOrders().map((o) => o.serverId));
  const changed = [...emu.state.servers.values()].filter((s) => !mine.has(s.id) && !s.rentedByOthers);
  for (const s of changed) s.rentedByOthers = true;
  return () => {
    for (const s of changed) s.rentedByOthers = false;
  };
}
