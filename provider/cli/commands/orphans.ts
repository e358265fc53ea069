import { eventPrice, orderFates } from "../../sdk";
import { defineCommand } from "../command";
import { CliError } from "../errors";
import { NONE, duration, money, perDay, plural, usd } from "../format";
import { orderGpu, orderPrice } from "../order-view";
import { type Orphan, classifyOrders } from "../orphans/classify";
import { collect } from "../parse";
import { confirm } from "../prompt";
import type { ListResult } from "../render";
import { findStackFiles, readStateFile, type StackOrders } from "../stack-state";

export type { Orphan } from "../orphans/classify";

interface OrphansOptions {
  state?: string[];
  backendDir?: string[];
  cancel?: boolean;
  yes?: boolean;
  expired?: boolean;
}

/** `$7.20/day + 350 CLORE/day`: each order in its own currency, as \`clore orders\` shows it. */
function dailyTotal(orphans: Orphan[]): string {
  const byUnit = new Map<string, number>();
  for (const o of orphans) byUnit.set(o.currency ?? "?", (byUnit.get(o.currency ?? "?") ?? 0) + (o.price ?? 0));
  return (
    [...byUnit]
      .map(([unit, amount]) => perDay(unit === "USD-Blockchain" ? usd(amount) : money(amount, unit)))
      .join(" + ") || NONE
  );
}

function commandLine(o: OrphansOptions): string {
  const q = (s: string) => (/^[\w./@:=+-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`);
  return [
    "clore orphans",
    ...(o.state ?? []).map((s) => `--state ${q(s)}`),
    ...(o.backendDir ?? []).map((d) => `--backend-dir ${q(d)}`),
  ].join(" ");
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
      .option(
        "--backend-dir <dir>",
        "a local backend directory (`pulumi login file://DIR`); reads DIR/.pulumi/stacks/**/*.json; repeatable",
        collect,
      )
      .option(
        "--expired",
        "also list orders the stacks do know whose ttl/expiresAt has passed (CloreOrder ttl); nothing in Clore ends them by itself",
      )
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
        throw new CliError(`no stack files under ${dir}/.pulumi/stacks.`, {
          hint: "Check the directory, or pass exported stacks with --state FILE.",
        });
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
      throw new CliError("--cancel needs confirmation, and there is no terminal to ask on.", {
        hint: `Add --yes to cancel without asking: ${commandLine(o)} --cancel --yes`,
      });
    }
    const events = o.cancel ? ctx.events() : undefined; // a malformed CLORE_EVENTS fails before any API call
    const stacks: StackOrders[] = files.map(readStateFile);
    const active = (await ctx.client().myOrders()).filter((x) => !x.expired);
    const { orphans, stale: missing, known } = classifyOrders(stacks, active, { expired: o.expired, now: Date.now() });
    // A stack order missing from the active list is stale only if the API lists it as ended.
    const fates = await orderFates(
      ctx.client(),
      missing.map((s) => s.orderId),
      { maxAgeMs: 10_000 }, // the answer just read, re-read with completed orders only for what it lacks
    );
    const stale = missing.filter((s) => fates.get(s.orderId)?.state === "ended");
    const unknown = missing.filter((s) => fates.get(s.orderId)?.state === "unknown");

    const warnings: string[] = [];
    if (known === 0)
      warnings.push(
        `none of the ${plural(stacks.length, "stack state")} holds a Clore order, so every active order is listed.`,
      );
    for (const s of stale)
      warnings.push(
        `order ${s.orderId} is in ${s.source} but not active any more; run \`pulumi refresh\` on that stack.`,
      );
    for (const s of unknown) {
      const fate = fates.get(s.orderId);
      warnings.push(
        `order ${s.orderId} is in ${s.source}, but the API does not say whether it still runs (${fate?.state === "unknown" ? fate.reason : "?"}); ` +
          "it may still bill you. Check `clore orders --completed` again later.",
      );
    }

    let cancelled: number[] = [];
    let failed: number[] = [];
    const notes: string[] = [];
    if (o.cancel && orphans.length) {
      const ids = orphans.map((x) => x.id);
      const go =
        o.yes ||
        (await confirm(
          ctx.io,
          `Cancel ${plural(ids.length, "order")} (${ids.join(", ")}) costing ${dailyTotal(orphans)}?`,
        ));
      if (go) {
        const result = await ctx.client().cancelOrders(ids);
        failed = ids.filter((id) => result.failedToCancel.includes(id));
        cancelled = ids.filter((id) => !failed.includes(id));
        for (const x of orphans.filter((x) => cancelled.includes(x.id)))
          events?.emit({
            kind: "order.orphan-swept",
            orderId: x.id,
            serverId: x.serverId ?? undefined,
            price: eventPrice(x),
            reason: x.expiredOn
              ? `its stack's ttl passed (${x.expiredOn}); cancelled by clore orphans --expired`
              : "no Pulumi stack holds it; cancelled by clore orphans",
          });
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
        stacks: stacks.map((s) => ({
          source: s.source,
          stack: s.stack ?? null,
          orderIds: s.orders.map((k) => k.orderId),
          pendingCreates: s.pendingCreates,
        })),
        activeOrders: active.length,
        orphans,
        stale,
        unknown,
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
        { header: "Cost/day", value: orderPrice, align: "right" },
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
      empty: active.length
        ? `No orphaned orders: all ${plural(active.length, "active order")} belong to a stack.`
        : "No orders found.",
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
