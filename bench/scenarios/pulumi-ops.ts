import { join } from "node:path";
import type { Emulator } from "pulumi-clore/emulator";
import type { TestStack } from "../../test/pulumi/harness";
import {
  BOOT_MS,
  CREATE_S,
  addRow,
  callsCell,
  details,
  endpoints,
  log,
  naiveNote,
  naiveOp,
  pulumiOp,
  tmp,
} from "../lib/context";
import { benchServerIds } from "../lib/emulators";
import { sleep } from "../lib/processes";
import { fmtS } from "../lib/table";

/**
 * preview / up / refresh / destroy through the real `pulumi` CLI, each followed by the naive
 * baseline doing the same work on its own emulator (interleaved, same machine). The stack
 * grows 0 → 10 → 20 orders; the 10 → 20 step is setup, run with rate limits off.
 */
export async function pulumiScenarios(ours: Emulator, naive: Emulator, stack: TestStack): Promise<void> {
  const servers = benchServerIds(20);
  const naiveState = join(tmp, "naive-orders.json");

  log("engine overhead: pulumi up of 0 orders");
  const empty = await pulumiOp(ours, stack, ["up", "--yes", "--skip-preview"]);
  details.push(
    `Engine overhead (\`pulumi up\` of the same program with 0 orders, no API call): ${fmtS(empty.wallMs)}; every Pulumi row includes about this much.`,
  );

  // up N=10 from empty.
  const n10 = 10;
  await stack.setConfig("count", String(n10));
  log("up N=10 (ours)");
  const up = await pulumiOp(ours, stack, ["up", "--yes", "--skip-preview"]);
  log("up N=10 (naive)");
  const upNaive = await naiveOp(naive, "up", naiveState, servers.slice(0, n10));
  const upFloorMs = CREATE_S * (n10 - 1) * 1000;
  const upNet = up.wallMs - BOOT_MS;
  addRow({
    scenario: `up, N=${n10} from empty`,
    ours: callsCell(up),
    oursResult: `${fmtS(up.wallMs)} (−boot ${fmtS(upNet)}; API span ${fmtS(up.spanMs)})`,
    floor: `${fmtS(upFloorMs)} + boot; ${n10} creates`,
    naive: callsCell(upNaive),
    naiveResult: fmtS(upNaive.wallMs),
    target: `≤ floor + 5 s (${fmtS(upFloorMs + 5000)}) excl. boot, 0 × 429`,
    met: upNet <= upFloorMs + 5000 && up.rateLimited === 0,
  });
  details.push(
    `up N=${n10}: ours ${endpoints(up)}, API span ${fmtS(up.spanMs)} (first to last request); naive ${endpoints(upNaive)}${naiveNote(upNaive)}.`,
  );

  // preview N=10 (10 orders up).
  log("preview N=10 (ours)");
  const preview = await pulumiOp(ours, stack, ["preview", "--expect-no-changes"]);
  log("preview N=10 (naive: one my_orders per resource)");
  const previewNaive = await naiveOp(naive, "read", naiveState);
  addRow({
    scenario: `preview, N=${n10} up`,
    ours: callsCell(preview),
    oursResult: fmtS(preview.wallMs),
    floor: "0 calls",
    naive: callsCell(previewNaive),
    naiveResult: fmtS(previewNaive.wallMs),
    target: "≤ 1 call, 0 writes",
    met: preview.calls <= 1 && preview.writes === 0,
  });

  // Grow both to 20 orders. Setup only: rate limits off so it takes seconds, not minutes.
  log("setup: grow to N=20 with rate limits off (not measured)");
  ours.options.rateLimit = false;
  naive.options.rateLimit = false;
  await stack.setConfig("count", "20");
  await Promise.all([
    pulumiOp(ours, stack, ["up", "--yes", "--skip-preview"], {
      CLORE_MIN_INTERVAL_MS: "20",
      CLORE_CREATE_INTERVAL_MS: "20",
    }),
    naiveOp(naive, "up", naiveState, servers.slice(n10), ["--min-interval", "0.02", "--create-interval", "0.02"]),
  ]);
  ours.options.rateLimit = true;
  naive.options.rateLimit = true;
  await sleep(2000);
  if (ours.activeOrders().length !== 20 || naive.activeOrders().length !== 20) {
    throw new Error(
      `setup: expected 20 active orders each, got ours ${ours.activeOrders().length}, naive ${naive.activeOrders().length}`,
    );
  }

  // refresh N=20.
  log("refresh N=20 (ours)");
  const refresh = await pulumiOp(ours, stack, ["refresh", "--yes", "--skip-preview"]);
  log("refresh N=20 (naive)");
  const refreshNaive = await naiveOp(naive, "read", naiveState);
  addRow({
    scenario: "refresh, N=20",
    ours: callsCell(refresh),
    oursResult: fmtS(refresh.wallMs),
    floor: "1 call",
    naive: callsCell(refreshNaive),
    naiveResult: fmtS(refreshNaive.wallMs),
    target: "≤ 2 calls, < 3 s",
    met: refresh.calls <= 2 && refresh.wallMs < 3000,
  });
  details.push(
    `refresh N=20: ours ${endpoints(refresh)}, API span ${fmtS(refresh.spanMs)}; naive ${endpoints(refreshNaive)}${naiveNote(refreshNaive)}.`,
  );

  // destroy N=20.
  log("destroy N=20 (ours)");
  const destroy = await pulumiOp(ours, stack, ["destroy", "--yes", "--skip-preview"]);
  log("destroy N=20 (naive)");
  const destroyNaive = await naiveOp(naive, "destroy", naiveState);
  addRow({
    scenario: "destroy, N=20",
    ours: callsCell(destroy),
    oursResult: `${fmtS(destroy.wallMs)} (API span ${fmtS(destroy.spanMs)})`,
    floor: "1 call (cancel_orders, ≤ 64 ids)",
    naive: callsCell(destroyNaive),
    naiveResult: fmtS(destroyNaive.wallMs),
    target: "≤ 2 calls, < 3 s",
    met: destroy.calls <= 2 && destroy.wallMs < 3000 && ours.activeOrders().length === 0,
  });
  details.push(
    `destroy N=20: ours ${endpoints(destroy)}, API span ${fmtS(destroy.spanMs)}, ${ours.activeOrders().length} orders left; ` +
      `naive ${endpoints(destroyNaive)}, ${naive.activeOrders().length} orders left${naiveNote(destroyNaive)}.`,
  );

  // What-if: the engine runs at most --parallel (default 8) deletes at once, so the cancel
  // batcher never sees more than 8 ids together. Same destroy with --parallel 64.
  log("what-if: destroy N=20 with --parallel 64 (setup with rate limits off first)");
  ours.options.rateLimit = false;
  await pulumiOp(ours, stack, ["up", "--yes", "--skip-preview"], {
    CLORE_MIN_INTERVAL_MS: "20",
    CLORE_CREATE_INTERVAL_MS: "20",
  });
  ours.options.rateLimit = true;
  await sleep(2000);
  const wide = await pulumiOp(ours, stack, ["destroy", "--yes", "--skip-preview", "--parallel", "64"]);
  details.push(
    `What-if (not a target row): \`pulumi destroy --parallel 64\` of 20 orders: ${endpoints(wide)}, ${wide.rateLimited} × 429, wall ${fmtS(wide.wallMs)}.`,
  );
}
