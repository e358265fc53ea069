import assert from "node:assert/strict";
import type { Emulator } from "../../provider/emulator";
import type { TestStack } from "../pulumi/harness";
import { USD_SERVERS, output, reliabilityStack, removeConfig, setConfig, startFastEmulator } from "./helpers";

/**
 * A few bad inputs through a real `pulumi preview`: the engine runs the provider's check
 * (or the program's getMarketplace), the preview fails naming the field, and not a single
 * API request is made. The full table is bad-input-table.e2e.spec.ts.
 */
const ROWS: Array<{ what: string; config: Record<string, unknown>; property: string; phrase: string }> = [
  {
    what: "CloreOrder port 70000",
    config: { orderExtra: { ports: { "22": "tcp", "70000": "tcp" } } },
    property: "ports.70000",
    phrase: "must be a port number 1-65535",
  },
  {
    what: "CloreOrder unknown currency",
    config: { orderExtra: { currency: "dogecoin" } },
    property: "currency",
    phrase: '(got "dogecoin")',
  },
  {
    what: "CloreOrder spot without a price",
    config: { type: "spot" },
    property: "spotPrice",
    phrase: 'is required when type is "spot"',
  },
  {
    what: "CloreOrder misspelt field",
    config: { orderExtra: { imagee: "x" } },
    property: "imagee",
    phrase: "is not a known field",
  },
  {
    what: "CloreServerSettings rental length 0",
    config: { count: 0, settings: { name: "rig-alpha", mrl: 0 } },
    property: "mrl",
    phrase: "must be greater than 0 (got 0)",
  },
  {
    what: "getMarketplace reliability as a percentage",
    config: { count: 0, marketplace: { minReliability: 99 } },
    property: "minReliability",
    phrase: "must be <= 1",
  },
];

describe("bad input fails `pulumi preview` before any API call", function () {
  this.timeout(300_000);
  let emu: Emulator;
  let stack: TestStack;

  before(async () => {
    emu = await startFastEmulator();
    stack = await reliabilityStack(emu, { serverId: String(USD_SERVERS[0]) });
  });
  after(async () => {
    stack?.cleanup();
    await emu?.close();
  });

  for (const row of ROWS) {
    it(`${row.what} → ${row.property} "${row.phrase}"`, async () => {
      const values = Object.fromEntries(
        Object.entries(row.config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
      );
      await setConfig(stack, values);
      try {
        const before = emu.requests.length;
        const r = await stack.pulumi(["preview"], { allowFail: true });
        assert.notEqual(r.code, 0, "the preview passed");
        const text = output(r);
        assert.ok(
          text.includes(row.property) && text.includes(row.phrase),
          `the preview's error does not name ${row.property} with "${row.phrase}":\n${text}`,
        );
        assert.doesNotMatch(text, /Unexpected error|TypeError|ReferenceError/);
        assert.equal(emu.requests.length, before, "an API request was sent");
      } finally {
        await removeConfig(stack, Object.keys(values));
      }
    });
  }
});
