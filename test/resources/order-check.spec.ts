import assert from "node:assert/strict";
import { check } from "../../provider/resources/order/controller";
import { UNKNOWN } from "../../provider/resources/validation";

const good = {
  serverId: 41873,
  image: "cloreai/ubuntu22.04-cuda12",
  currency: "USD-Blockchain",
  ports: { "22": "tcp" },
};

async function failures(news: Record<string, unknown>) {
  return (await check({}, news)).failures ?? [];
}

describe("CloreOrder check", () => {
  it("accepts good inputs and fills the defaults", async () => {
    const r = await check({}, good);
    assert.equal(r.failures, undefined);
    assert.deepEqual(r.inputs, { type: "on-demand", waitForReady: true, readyTimeout: 600, ...good });
  });

  const rows: Array<[string, Record<string, unknown>, string, RegExp]> = [
    [
      "unknown currency",
      { currency: "dogecoin" },
      "currency",
      /must be one of "bitcoin", "CLORE-Blockchain", "USD-Blockchain" \(got "dogecoin"\)/,
    ],
    ["empty image", { image: "" }, "image", /must not be empty/],
    ["image with spaces", { image: "my image" }, "image", /without spaces/],
    ["port out of range", { ports: { "70000": "tcp" } }, "ports.70000", /port number 1-65535/],
    ["udp port", { ports: { "53": "udp" } }, "ports.53", /must be one of "tcp", "http"/],
    ["two http ports", { ports: { "80": "http", "8888": "http" } }, "ports", /.+/],
    ["bad env name", { env: { "1BAD": "x" } }, "env.1BAD", /valid environment variable name/],
    ["negative server id", { serverId: -5 }, "serverId", /greater than 0/],
    ["string server id", { serverId: "41873" }, "serverId", /must be an integer/],
    ["unknown field", { imagee: "x" }, "imagee", /not a known field/],
    ["spot without price", { type: "spot" }, "spotPrice", /required when type is "spot"/],
    ["price on on-demand", { spotPrice: 2 }, "spotPrice", /only allowed when type is "spot"/],
    ["negative max price", { maxPricePerDay: -1 }, "maxPricePerDay", /greater than 0/],
    ["zero timeout", { readyTimeout: 0 }, "readyTimeout", /greater than 0/],
    ["oversized password", { sshPassword: "x".repeat(33) }, "sshPassword", /at most 32 characters/],
  ];
  for (const [what, patch, property, reason] of rows) {
    it(`rejects ${what}, naming ${property}`, async () => {
      const f = await failures({ ...good, ...patch });
      const hit = f.find((x) => x.property === property);
      assert.ok(hit, `no failure for ${property}: ${JSON.stringify(f)}`);
      assert.match(hit.reason, reason);
    });
  }

  it("rejects a missing required input", async () => {
    const { image: _i, ...rest } = good;
    assert.deepEqual(await failures(rest), [{ property: "image", reason: "is required" }]);
  });

  it("skips values that are unknown at preview", async () => {
    assert.deepEqual(await failures({ ...good, serverId: UNKNOWN }), []);
    assert.deepEqual(await failures({ ...good, type: "spot", spotPrice: UNKNOWN }), []);
  });
});
