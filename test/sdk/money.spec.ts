import { strict as assert } from "node:assert";
import { bar } from "../../provider/cli/cost/report";
import {
  estimateCost,
  formatCost,
  formatMoney,
  msUntilCap,
  orderCost,
  orderMoney,
  spendWindow,
  spreadByDay,
  usdRate,
} from "../../provider/sdk/money";

describe("money", () => {
  it("gives per-hour prices in the order's currency and in USD", () => {
    const m = orderMoney({ price: 24, currency: "CLORE-Blockchain", original_price_usd: 48 });
    assert.equal(m.perHour, 1);
    assert.equal(m.usdPerHour, 2);
  });

  it("keeps the API's spend and converts it at the order's USD rate", () => {
    const m = orderMoney({ price: 10, currency: "bitcoin", original_price_usd: 20, spend: 3 });
    assert.equal(m.spend, 3);
    assert.equal(m.spendUsd, 6);
    assert.equal(m.approximate, true);
  });

  it("estimates spend from the creation time when the API gives none, fee included", () => {
    const m = orderMoney({ price: 24, currency: "x", ct: 0, creation_fee: 1 }, { feePercent: 50, nowMs: 86_400_000 });
    assert.equal(m.feePerDay, 12);
    assert.equal(m.spend, 37);
  });

  it("estimates cost pro rata and never negative", () => {
    assert.equal(estimateCost(24, 3_600_000), 1);
    assert.equal(estimateCost(24, -5), 0);
  });

  it("marks approximate figures with ≈", () => {
    assert.equal(formatMoney(1.5, "USD", true), "≈1.5000 USD");
    assert.equal(formatMoney(undefined, "USD"), "?");
  });

  it("prices USD-Blockchain orders in USD exactly, others at the inferred rate or not at all", () => {
    assert.deepEqual(usdRate({ currency: "USD-Blockchain", price: 3 }), { rate: 1, approximate: false });
    const m = orderMoney({ currency: "USD-Blockchain", price: 48, spend: 2 });
    assert.equal(m.usdPerHour, 2);
    assert.equal(m.spendUsd, 2);
    assert.equal(m.approximate, false);
    assert.deepEqual(usdRate({ currency: "CLORE-Blockchain", price: 400, original_price_usd: 1 }), {
      rate: 0.0025,
      approximate: true,
    });
    assert.equal(usdRate({ currency: "CLORE-Blockchain", price: 400 }), undefined);
  });

  it("spreads spend over the days it accrued (ct + spend/price days), clipped to a range, summing back", () => {
    const ct = Date.parse("2026-12-01T12:00:00Z") / 1000;
    const w = spendWindow({ ct, price: 10, spend: 20 })!;
    assert.equal(new Date(w.endMs).toISOString(), "2026-12-03T12:00:00.000Z");
    const days = spreadByDay(20, w);
    assert.deepEqual(days, [
      { day: "2026-12-01", amount: 5 },
      { day: "2026-12-02", amount: 10 },
      { day: "2026-12-03", amount: 5 },
    ]);
    const cut = spreadByDay(20, w, { fromMs: Date.parse("2026-12-02T00:00:00Z") });
    assert.equal(
      cut.reduce((t, d) => t + d.amount, 0),
      15,
    );
    assert.deepEqual(spreadByDay(20, w, { toMs: w.startMs - 1 }), []);
  });

  it("draws bars in block characters, eighths at the tip, proportional to the largest", () => {
    assert.equal(bar(10, 10, 4), "████");
    assert.equal(bar(5, 10, 4), "██");
    assert.equal(bar(1, 10, 4), "▍"); // 0.4 cell ≈ 3/8
    assert.equal(bar(0, 10, 4), "");
    assert.equal(bar(0.0001, 10, 4), "▏"); // something spent is never drawn as nothing
  });

  it("costs an order by the API's spend when given, else price × duration plus the creation fee (≈)", () => {
    const usd = orderCost({ currency: "USD-Blockchain", price: 48, spend: 0.5, creation_fee: 0.1 }, 3_600_000);
    assert.deepEqual(usd, { currency: "USD-Blockchain", amount: 0.5, usd: 0.5, source: "spend", approximate: false });
    assert.equal(formatCost(usd), "0.5000 USD-Blockchain");
    const est = orderCost({ currency: "USD-Blockchain", price: 48, creation_fee: 0.1 }, 3_600_000);
    assert.deepEqual([est.amount, est.source, est.approximate], [2.1, "estimate", true]);
    assert.equal(formatCost(est), "≈2.1000 USD-Blockchain");
    const coin = orderCost({ currency: "CLORE-Blockchain", price: 400, original_price_usd: 1, spend: 100 }, 0);
    assert.equal(formatCost(coin), "≈100.0000 CLORE-Blockchain (≈$0.2500)");
    assert.equal(orderCost({ currency: "CLORE-Blockchain", price: 400, spend: 100 }, 0).usd, undefined);
    assert.equal(formatCost(orderCost({ currency: "x" }, 1000)), "?");
  });

  it("says how long an order may run before its spend reaches a cap, a reserve kept in hand", () => {
    // $24/day = $1/h: from $0.50 spent, a $1.50 cap is one hour away, 50 min with a 10 min reserve.
    assert.equal(msUntilCap(1.5, 0.5, 24), 3_600_000);
    assert.equal(msUntilCap(1.5, 0.5, 24, 600_000), 3_000_000);
    assert.equal(msUntilCap(1, 0.99, 24, 3_600_000), 0);
    assert.equal(msUntilCap(1, 2, 24), 0);
    assert.equal(msUntilCap(1, 0, 0), Number.POSITIVE_INFINITY);
    assert.equal(msUntilCap(1, 1, 0), 0);
  });
});
