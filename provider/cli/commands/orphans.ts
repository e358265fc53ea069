import type { Order } from "../../sdk";
import { defineCommand } from "../command";
import { CliError } from "../errors";
import { NONE, ageSeconds, duration, money, perDay, plural, usd } from "../format";
import { orderGpu, orderUsdPerDay } from "../order-view";
import { collect } from "../parse";
import { confirm } from "../prompt";
import type { ListResult } from "../render";
import { findStackFiles, readStateFile, type StackOrders } from "../stack-state";

interface OrphansOptions {
  state?: string[];
  backendDir?: string[];
  cancel?: boolean;
  yes?: boolean;
  expired?: boolean;
}

export interface Orphan extends Order {
  ageSeconds: number | null;
  /** Daily cost in USD when known (USD orders or original_price_usd), else null: see price/currency. */
  usdPerDay: number | null;
  /** Set when a stack has an unfinished create on this order's server (an interrupted `pulumi up`). */
  interruptedCreate: { stack: string | null; urn: string } | null;
  /** With --expired: the stack's order whose ttl/expiresAt has passed. */
  expiredOn: string | null;
}

/** `$7.20/day + 350 CLORE/day`: USD where we know it, the order's currency otherwise. */
function dailyTotal(orphans: Orphan[]): string {
  const byUnit = new Map<string, number>();
  for (const o of orphans) {
    const [unit, amount] = o.usdPerDay !== null ? ["USD-Blockchain", o.usdPerDay] : [o.currency ?? "?", o.price ?? 0];
    byUnit.set(unit, (byUnit.get(unit) ?? 0) + amount);
  }
  return [...byUnit].map(([unit, amount]) => perDay(unit === "USD-Blockchain" ? usd(amount) : money(amount, unit))).join(" + ") || NONE;
}

function commandLine(o: OrphansOptions): string {
  const q = (s: string) => (/^[\w./@:=+-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`);
  return ["clore orphans", ...(o.state ?? []).map((s) => `--state ${q(s)}`), ...(o.backendDir ?? []).map((d) => `--backend-dir ${q(d)}`)].join(" ");
}

export const orphansCommand = defineCommand<OrphansOptions>({
  name: "orphans",
  summary: "Find (and cancel) orders no Pulumi stack knows about",
  description:
    "List your active orders that are missing from the given Pulumi stack states, with their age and daily cost: " +
    "orders created by hand or by scripts, and orders left behind by an interrupted `pulumi up`. Give every stack that " +
    "manages Clore orders (as --state files from `pulumi stack export`, or --backend-dir for a local backend), or orders " +
    "of the missing stacks will be listed too. Nothing is cancelled without --cancel; --cancel asks first on a terminal " +
    "and needs --yes elsewhere.",
  configure(cmd) {
    cmd
      .option("--state <file>", "a `pulumi stack export` JSON file (or a raw checkpoint); repeatable", collect)
      .option("--backend-dir <dir>", "a local backend directory (`pulumi login file://DIR`); reads DIR/.pulumi/stacks/**/*.json; repeatable", collect)
      .option("--expired", "also list orders the stacks do know whose ttl/expiresAt has passed (CloreOrder ttl); nothing in Clore ends them by itself")
      .option("--cancel", "cancel the orphaned orders (asks for confirmation)")
      .option("--yes", "with --cancel: don't ask (needed without a terminal)");
  },
  examples: [
    "pulumi stack export --file dev.json && clore orphans --state dev.json",
    "clore orphans --backend-dir ~/pulumi-state",
    "clore orphans --state dev.json --state prod.json --cancel",
    "clore orphans --backend-dir ~/pulumi-state --cancel --yes --json",
    "clore orphans --backend-dir ~/pulumi-state --expired --cancel --yes   # a scheduled CI job enforcing TTLs",
  ],
  async run(ctx, _args, o): Promise<ListResult<Orphan>> {
    const files = [...(o.state ?? [])];
    for (const dir of o.backendDir ?? []) {
      const found = findStackFiles(dir);
      if (!found.length) {
        throw new CliError(`no stack files under ${dir}/.pulumi/stacks.`, { hint: "Check the directory, or pass exported stacks with --state FILE." });
      }
      files.push(...found);
    }
    if (!files.length) {
      // Without any state every order would look orphaned: refuse rather than guess.
      throw new CliError("orphans needs the Pulumi stack states to compare against.", {
        hint: "Pass --state FILE (from `pulumi stack export --file FILE`) or --backend-dir DIR (from `pulumi login file://DIR`).",
      });
    }
    if (o.cancel && !o.yes && !ctx.output.canPrompt) {
      throw new CliError("--cancel needs confirmation, and there is no terminal to ask on.", { hint: `Add --yes to cancel without asking: ${commandLine(o)} --cancel --yes` });
    }
    const stacks: StackOrders[] = files.map(readStateFile);
    const known = new Map<number, { urn: string; source: string; expiresOn?: string }>();
    for (const s of stacks) for (const k of s.orders) known.set(k.orderId, { urn: k.urn, source: s.source, expiresOn: k.expiresOn });

    const now = Date.now();
    const active = (await ctx.client().myOrders()).filter((x) => !x.expired);
    const activeIds = new Set(active.map((x) => x.id));
    const expiredOn = (id: number) => {
      const at = known.get(id)?.expiresOn;
      return o.expired && at && Date.parse(at) <= now ? at : null;
    };
    // An order behind a stack's pending handle is that stack's: its next refresh adopts it.
    const heldByHandle = (x: Order) => stacks.some((s) => s.pendingCreates.some((p) => p.since !== undefined && p.serverId === x.serverId && (x.ct ?? 0) >= p.since));
    // The first stack with a create still pending on this server (its URN names the resource).
    const interruptedCreate = (serverId: number | undefined): Orphan["interruptedCreate"] => {
      if (serverId === undefined) return null;
      for (const s of stacks) {
        const pending = s.pendingCreates.find((p) => p.serverId === serverId);
        if (pending) return { stack: s.stack ?? null, urn: pending.urn };
      }
      return null;
    };
    const orphans: Orphan[] = active
      .filter((x) => (!known.has(x.id) && !heldByHandle(x)) || expiredOn(x.id) !== null)
      .sort((a, b) => (a.ct ?? 0) - (b.ct ?? 0) || a.id - b.id)
      .map((x) => ({
        ...x,
        ageSeconds: ageSeconds(x.ct, now) ?? null,
        usdPerDay: orderUsdPerDay(x) ?? null,
        interruptedCreate: interruptedCreate(x.serverId),
        expiredOn: expiredOn(x.id),
      }));
    const stale = [...known].filter(([id]) => !activeIds.has(id)).map(([orderId, k]) => ({ orderId, urn: k.urn, source: k.source }));

    const warnings: string[] = [];
    if (known.size === 0) warnings.push(`none of the ${plural(stacks.length, "stack state")} holds a Clore order, so every active order is listed.`);
    for (const s of stale) warnings.push(`order ${s.orderId} is in ${s.source} but not active any more; run \`pulumi refresh\` on that stack.`);

    let cancelled: number[] = [];
    let failed: number[] = [];
    const notes: string[] = [];
    if (o.cancel && orphans.length) {
      const ids = orphans.map((x) => x.id);
      const go = o.yes || (await confirm(ctx.io, `Cancel ${plural(ids.length, "order")} (${ids.join(", ")}) costing ${dailyTotal(orphans)}?`));
      if (go) {
        const result = await ctx.client().cancelOrders(ids);
        failed = ids.filter((id) => result.failedToCancel.includes(id));
        cancelled = ids.filter((id) => !failed.includes(id));
        if (cancelled.length) notes.push(`Cancelled ${plural(cancelled.length, "order")}: ${cancelled.join(", ")}.`);
      } else {
        notes.push("Nothing cancelled.");
      }
    } else if (orphans.length) {
      notes.push(`Nothing was cancelled. To cancel them: ${commandLine(o)} --cancel`);
    }

    const result: ListResult<Orphan> = {
      kind: "list",
      json: {
        stacks: stacks.map((s) => ({ source: s.source, stack: s.stack ?? null, orderIds: s.orders.map((k) => k.orderId), pendingCreates: s.pendingCreates })),
        activeOrders: active.length,
        orphans,
        stale,
        cancelled,
        failed,
      },
      rows: orphans,
      columns: [
        { header: "ID", value: (x) => x.id, align: "right" },
        { header: "Server", value: (x) => x.serverId, align: "right" },
        { header: "GPU", value: orderGpu },
        { header: "Image", value: (x) => x.image ?? NONE, maxWidth: 32 },
        { header: "Age", value: (x) => duration(x.ageSeconds), align: "right" },
        { header: "Cost/day", value: (x) => (x.usdPerDay !== null ? perDay(usd(x.usdPerDay)) : perDay(money(x.price, x.currency))), align: "right" },
        { header: "Spent", value: (x) => money(x.spend, x.currency), align: "right" },
        {
          header: "Note",
          value: (x) =>
            [
              failed.includes(x.id) ? "cancel failed" : cancelled.includes(x.id) ? "cancelled" : "",
              x.interruptedCreate ? `interrupted create in ${x.interruptedCreate.stack ?? "a stack"}` : "",
              x.expiredOn ? `ttl expired ${x.expiredOn}` : "",
            ]
              .filter(Boolean)
              .join("; "),
        },
      ],
      summary: `${plural(orphans.length, "orphaned order")} (of ${active.length} active; ${plural(stacks.length, "stack state")} read) costing ${dailyTotal(orphans)}.`,
      empty: active.length ? `No orphaned orders: all ${plural(active.length, "active order")} belong to a stack.` : "No orders found.",
      notes,
      warnings,
    };
    if (failed.length) {
      result.partial = {
        message: `${failed.length} of ${orphans.length} cancels failed; these orders are still running:`,
        items: failed.map((id) => `order ${id}`),
        hint: `Retry one with: clore cancel ${failed[0]}`,
      };
    }
    return result;
  },
});
