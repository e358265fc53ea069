import * as pulumi from "@pulumi/pulumi";
import type { Currency } from "../../sdk";
import { z } from "zod";
import { OrderInputs } from "../order/schema";
import { programClient } from "../program-api";
import { type CostSummary, type OrderEstimate, estimateOrder, summarize } from "./estimate";

export interface CloreBudgetArgs {
  /** Most the stack may cost per day in `currency`, fees included. Omit to only report the estimate. */
  maxPerDay?: number;
  currency: Currency;
}

const SETTLE_MS = 100;
const CACHE_MS = 60_000;
/** What an estimate reads of an order's inputs (any may still be missing at preview). */
const EstimateInputs = z.object(OrderInputs.shape).partial();

/**
 * A spending cap for the whole stack, checked in the program before any order is created.
 * Every CloreOrder given `budget` is estimated (live price + renter fee + creation fee from
 * renter_fees); if the total per day exceeds `maxPerDay`, every such order fails its check
 * with one line naming the budget, so preview fails and `pulumi up` stops with zero creates.
 * Preview and up print the estimate either way.
 *
 *     const budget = new CloreBudget("team", { maxPerDay: 120, currency: "USD-Blockchain" });
 *     new CloreOrder("a", { ..., budget });
 */
export class CloreBudget {
  readonly name: string;
  readonly args: CloreBudgetArgs;
  private readonly estimates: Promise<OrderEstimate>[] = [];
  private verdict?: Promise<string>;
  private timer?: NodeJS.Timeout;
  /** Releases every order added in the current settle window. */
  private waiting: (() => void)[] = [];

  constructor(name: string, args: CloreBudgetArgs) {
    this.name = name;
    this.args = args;
  }

  /**
   * Register an order's inputs; resolves, once the stack's orders (those declared within
   * SETTLE_MS of each other) are estimated, with "" when they fit the cap and with the reason
   * otherwise (the order's check reports it: one clean line, no stack trace).
   */
  add(orderName: string, inputs: pulumi.Input<Record<string, unknown>>): Promise<string> {
    this.estimates.push(
      new Promise<OrderEstimate>((resolve, reject) =>
        pulumi.output(inputs).apply((i) => {
          this.estimate(orderName, i as Record<string, unknown>).then(resolve, reject);
          return undefined;
        }),
      ),
    );
    // A new order restarts the settle window: the verdict covers every order declared with it.
    this.verdict = undefined;
    clearTimeout(this.timer);
    const settled = new Promise<void>((resolve) => this.waiting.push(resolve));
    this.timer = setTimeout(() => {
      for (const release of this.waiting.splice(0)) release();
    }, SETTLE_MS);
    return settled.then(
      () =>
        (this.verdict ??= this.check().then(
          () => "",
          (e: Error) => e.message,
        )),
    );
  }

  private async estimate(name: string, raw: Record<string, unknown>): Promise<OrderEstimate> {
    const i = EstimateInputs.parse(
      Object.fromEntries(Object.entries(raw).filter(([k, v]) => k in OrderInputs.shape && v !== undefined)),
    );
    const client = programClient();
    const servers = (await client.call("marketplace", {}, { maxAgeMs: CACHE_MS })).servers;
    const fees =
      this.args.maxPerDay === undefined ? undefined : await client.call("renter_fees", {}, { maxAgeMs: CACHE_MS });
    return estimateOrder(name, { type: "on-demand", ...i, currency: i.currency ?? this.args.currency }, servers, fees);
  }

  private async check(): Promise<CostSummary> {
    const all = await Promise.all(this.estimates).catch((e: Error) => {
      throw new Error(`budget "${this.name}" could not be checked, so nothing was rented: ${e.message}`);
    });
    const sum = summarize(this.args.currency, all);
    const cap = this.args.maxPerDay;
    const line =
      `clore: ${sum.count} order(s) in budget "${this.name}" cost about ${sum.perDay} ${sum.currency}/day (${sum.perHour}/h)` +
      `${cap === undefined ? "" : ` incl. renter fees, plus ${sum.creationFees} once in creation fees; cap ${cap}/day`}` +
      `${sum.unknown.length ? `; price not known yet for ${sum.unknown.join(", ")}` : ""}`;
    await pulumi.log.info(line);
    const total = sum.perDay + sum.creationFees;
    if (cap !== undefined && total > cap) {
      throw new Error(
        `budget "${this.name}": this stack would cost ${Math.round(total * 100) / 100} ${sum.currency} on its first day ` +
          `(${sum.perDay}/day + ${sum.creationFees} creation fees), above maxPerDay ${cap}. Nothing was rented. ` +
          `Remove orders, pick cheaper servers (maxPricePerDay) or raise the cap.`,
      );
    }
    return sum;
  }
}
