import assert from "node:assert/strict";
import { cheapestOf, selectOffers } from "../../provider/resources/marketplace/filters";
import { MarketplaceResponse } from "../../provider/sdk";
import { fixture } from "../helpers/fixtures";

const servers = MarketplaceResponse.parse(fixture("marketplace.json")).servers;

describe("getMarketplace filtering", () => {
  it("keeps only available servers by default", () => {
    assert.ok(selectOffers(servers, {}).every((o) => o.available));
    assert.ok(selectOffers(servers, { availableOnly: false }).length >= selectOffers(servers, {}).length);
  });

  it("prices in the asked currency and drops servers that do not accept it", () => {
    const offers = selectOffers(servers, { currency: "USD-Blockchain", availableOnly: false });
    for (const o of offers) {
      assert.equal(o.currency, "USD-Blockchain");
      assert.ok(o.allowedCurrencies.includes("USD-Blockchain"));
    }
  });

  it("sorts by price with the cheapest first and reports it", () => {
    const offers = selectOffers(servers, { availableOnly: false, currency: "USD-Blockchain" });
    const prices = offers.map((o) => o.pricePerDay ?? Infinity);
    assert.deepEqual(
      prices,
      [...prices].sort((a, b) => a - b),
    );
    assert.equal(cheapestOf(offers)?.id, offers[0]?.id);
  });

  it("filters by gpu, reliability, CUDA version, country and limit", () => {
    assert.equal(selectOffers(servers, { gpu: "no-such-gpu", availableOnly: false }).length, 0);
    assert.equal(
      selectOffers(servers, { minReliability: 1, availableOnly: false }).filter((o) => (o.reliability ?? 0) < 1).length,
      0,
    );
    assert.equal(selectOffers(servers, { minCudaVersion: "99.0", availableOnly: false }).length, 0);
    assert.equal(selectOffers(servers, { country: "ZZ", availableOnly: false }).length, 0);
    assert.equal(selectOffers(servers, { availableOnly: false, limit: 1 }).length, 1);
  });
});
