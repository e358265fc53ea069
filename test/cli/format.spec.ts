import { strict as assert } from "node:assert";
import { duration, gpu, maskSecret, money, percent, perDay, perHour, usd } from "../../provider/cli/format";
import { ordersInState, orderIdOf } from "../../provider/cli/stack-state";
import { renderTable } from "../../provider/cli/table";

describe("clore output formats", () => {
  it("money carries its unit and sensible precision", () => {
    const cases: Array<[string, string]> = [
      [perDay(usd(1.8437)), "$1.84/day"],
      [perHour(usd(0.15)), "$0.15/h"],
      [perHour(usd(0.03125)), "$0.0313/h"],
      [usd(48), "$48.00"],
      [usd(0), "$0.00"],
      [usd(undefined), "-"],
      [perDay(usd(null)), "-"],
      [money(3.6, "USD-Blockchain"), "$3.60"],
      [money(350, "CLORE-Blockchain"), "350 CLORE"],
      [money(4.67851198, "CLORE-Blockchain"), "4.68 CLORE"],
      [money(0.000022, "bitcoin"), "0.000022 BTC"],
      [money(0.00153176, "bitcoin"), "0.00153176 BTC"],
      [money(2, "DOGE"), "2 DOGE"],
    ];
    for (const [got, want] of cases) assert.equal(got, want);
  });

  it("durations, GPUs, percentages and masked keys", () => {
    assert.deepEqual([45, 12 * 60 + 5, 3 * 3600 + 5 * 60, 2 * 86400 + 4 * 3600, 3600, 86400].map(duration), [
      "45 s",
      "12 min",
      "3 h 5 min",
      "2 d 4 h",
      "1 h",
      "1 d",
    ]);
    assert.equal(duration(undefined), "-");
    assert.equal(gpu("NVIDIA GeForce RTX 4090", 2), "RTX 4090 ×2");
    assert.equal(gpu("1x NVIDIA A100 80GB PCIe", 1), "A100 80GB PCIe ×1");
    assert.equal(gpu(undefined, 0), "-");
    assert.equal(percent(0.9987), "99.87%");
    assert.equal(percent(98.5), "98.5%");
    assert.equal(maskSecret("abcd1234efgh5678wxyz"), "abcd…wxyz");
    assert.equal(maskSecret("short"), "****");
  });

  it("tables align columns (numbers right), cut long cells and show - for missing values", () => {
    const rows = [
      { id: 7, name: "a-very-long-image-name:latest", price: "$1.00/day" },
      { id: 12345, name: "x", price: undefined },
    ];
    const text = renderTable(rows, [
      { header: "ID", value: (r) => r.id, align: "right" },
      { header: "Image", value: (r) => r.name, maxWidth: 12 },
      { header: "Price", value: (r) => r.price, align: "right" },
    ]);
    assert.equal(
      text,
      ["   ID  IMAGE             PRICE", "    7  a-very-long…  $1.00/day", "12345  x                     -"].join("\n"),
    );
  });

  it("finds order ids in both state layouts, by outputs.orderId or by a dynamic resource's id", () => {
    const dyn = "pulumi-nodejs:dynamic:Resource";
    assert.equal(orderIdOf({ type: dyn, id: "42", outputs: { serverId: 1 } }), 42);
    assert.equal(orderIdOf({ type: "clore:index:Order", id: "x", outputs: { orderId: 43 } }), 43);
    assert.equal(orderIdOf({ type: dyn, id: "44", outputs: { name: "not an order" } }), undefined);
    assert.equal(orderIdOf({ type: "aws:s3:Bucket", id: "45", outputs: { serverId: 1 } }), undefined);

    const exported = ordersInState(
      {
        deployment: { resources: [{ urn: "urn:pulumi:dev::p::t::n", type: dyn, id: "42", outputs: { serverId: 1 } }] },
      },
      "e.json",
    );
    assert.deepEqual(exported, {
      source: "e.json",
      stack: "p/dev",
      orders: [{ orderId: 42, urn: "urn:pulumi:dev::p::t::n" }],
      pendingCreates: [],
    });
    const checkpoint = ordersInState(
      { checkpoint: { stack: "org/p/prod", latest: { resources: [{ type: dyn, id: "9", outputs: { orderId: 9 } }] } } },
      "c.json",
    );
    assert.deepEqual(checkpoint, {
      source: "c.json",
      stack: "org/p/prod",
      orders: [{ orderId: 9, urn: "" }],
      pendingCreates: [],
    });
    assert.throws(() => ordersInState({ resources: [] }, "bad.json"), /bad\.json is not a Pulumi stack state/);
  });
});
