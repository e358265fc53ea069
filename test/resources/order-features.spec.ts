import assert from "node:assert/strict";
import { estimateOrder, summarize } from "../../provider/resources/budget/estimate";
import { diffOrder } from "../../provider/resources/order/diff";
import type { OrderOutputs } from "../../provider/resources/order/schema";
import { candidates, factsOf, satisfies } from "../../provider/resources/order/selection";
import { TTL_EXPIRED, expiryOf, ttlSeconds } from "../../provider/resources/order/ttl";
import { MarketplaceResponse, RenterFeesResponse } from "../../provider/sdk";
import { fixture } from "../helpers/fixtures";

const servers = MarketplaceResponse.parse(fixture("marketplace.json")).servers;
const fees = RenterFeesResponse.parse(fixture("renter_fees.json"));
const base = {
  image: "img",
  currency: "USD-Blockchain" as const,
  type: "on-demand" as const,
  waitForReady: true,
  readyTimeout: 600,
};

describe("find-and-rent", () => {
  it("orders candidates cheapest first and honours maxPricePerDay", () => {
    const ids = candidates(servers, { ...base, select: { maxAttempts: 3 } });
    const prices = ids.map((id) => servers.find((s) => s.id === id)!.price!.on_demand!["USD-Blockchain"]!);
    assert.deepEqual(
      prices,
      [...prices].sort((a, b) => a - b),
    );
    assert.deepEqual(candidates(servers, { ...base, maxPricePerDay: 0.01, select: { maxAttempts: 3 } }), []);
  });

  it("checks a rented server against changed criteria using its recorded facts", () => {
    const facts = factsOf(servers[0]!);
    assert.equal(satisfies(facts, { gpus: [facts.gpuModels[0]!.slice(-8)] }), true);
    assert.equal(satisfies(facts, { minGpuCount: facts.gpuCount + 1 }), false);
    assert.equal(satisfies(undefined, {}), false);
  });

  const rented: Partial<OrderOutputs> = {
    ...base,
    select: { gpus: ["RTX"], maxAttempts: 3 },
    serverId: 41873,
    orderId: 1,
    status: "running",
    server: factsOf(servers[0]!),
  };

  it("does not replace when the criteria are unchanged, whatever the marketplace does", () => {
    assert.equal(diffOrder(rented, { ...base, select: { gpus: ["RTX"] } }).changes, false);
  });

  it("updates in place when changed criteria still fit the rented server, and replaces when not", () => {
    assert.deepEqual(diffOrder(rented, { ...base, select: { gpus: ["RTX"], minGpuCount: 1 } }).updates, ["select"]);
    assert.deepEqual(diffOrder(rented, { ...base, select: { gpus: ["H100"] } }).replaces, ["select"]);
  });
});

describe("honest TTL", () => {
  it("reads durations", () => {
    assert.equal(ttlSeconds("90m"), 5400);
    assert.equal(ttlSeconds("2d"), 172_800);
    assert.equal(ttlSeconds(30), 30);
    assert.equal(expiryOf({ ttl: "1h" }, "2026-01-01T00:00:00.000Z"), "2026-01-01T01:00:00.000Z");
  });

  const running: Partial<OrderOutputs> = {
    ...base,
    serverId: 1,
    orderId: 7,
    status: "running",
    ttl: "1h",
    expiresOn: "2026-01-01T01:00:00.000Z",
  };

  it("reports an order past its expiry as an in-place change (update cancels it)", () => {
    assert.deepEqual(
      diffOrder(running, { ...base, serverId: 1, ttl: "1h" }, Date.parse("2026-01-01T02:00:00Z")).updates,
      ["expiresOn"],
    );
    assert.equal(
      diffOrder(running, { ...base, serverId: 1, ttl: "1h" }, Date.parse("2026-01-01T00:30:00Z")).changes,
      false,
    );
  });

  it("keeps a TTL-cancelled order as a record until its ttl changes, then rents again", () => {
    const ended = { ...running, status: TTL_EXPIRED };
    assert.equal(
      diffOrder(ended, { ...base, serverId: 1, ttl: "1h" }, Date.parse("2026-02-01T00:00:00Z")).changes,
      false,
    );
    assert.deepEqual(diffOrder(ended, { ...base, serverId: 1, ttl: "2h" }).replaces, ["ttl"]);
  });
});

describe("budget estimate", () => {
  it("adds the renter fee percentage and the creation fee", () => {
    const s = servers.find((x) => x.price?.on_demand?.["USD-Blockchain"])!;
    const e = estimateOrder("a", { ...base, serverId: s.id }, servers, fees);
    const price = s.price!.on_demand!["USD-Blockchain"]!;
    const pct = fees.renter_fees.on_demand?.base?.["USD-Blockchain"] ?? 0;
    assert.equal(e.pricePerDay, price);
    assert.equal(Math.round(e.feePerDay * 1e6), Math.round(((price * (pct ?? 0)) / 100) * 1e6));
    const sum = summarize("USD-Blockchain", [e, e]);
    assert.equal(sum.count, 2);
    assert.equal(sum.perHour, Math.round((sum.perDay / 24) * 1e6) / 1e6);
  });

  it("uses the bid for spot orders and reports orders whose price is unknown", () => {
    assert.equal(estimateOrder("s", { ...base, type: "spot", spotPrice: 2, serverId: 1 }, servers).pricePerDay, 2);
    assert.deepEqual(summarize("USD-Blockchain", [estimateOrder("u", { ...base, serverId: 999 }, servers)]).unknown, [
      "u",
    ]);
  });
});
