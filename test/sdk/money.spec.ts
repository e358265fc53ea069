import { strict as assert } from "node:assert";
import { estimateCost, formatMoney, orderMoney } from "../../provider/sdk/money";

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
});
