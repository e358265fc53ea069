import { strict as assert } from "node:assert";
import type { Emulator } from "../../provider/emulator";
import { call, fixture, onDemandBody } from "./helpers";
import { useEmulator } from "../helpers/emulator";

describe("emulator: create_order refusals", () => {
  const emu = useEmulator({ timeScale: 0.01, rateLimit: false });
  beforeEach(() => {
    emu.reset();
    Object.assign(emu.options, {
      notEnoughBalanceCode: 6,
      requiredPriceMismatch: "database-error",
      rejectAmpersandInEnv: false,
    });
  });

  // One row per refusal: request body, HTTP status, whole answer, fixture it must equal.
  const rows: {
    name: string;
    setup?: (emu: Emulator) => void;
    body: Record<string, unknown>;
    status: number;
    answer: unknown;
    fixture?: string;
  }[] = [
    {
      name: "server-already-rented for a server someone else rents",
      body: onDemandBody(52210, { currency: "CLORE-Blockchain" }),
      status: 200,
      answer: { code: 6, error: "server-already-rented" },
      fixture: "errors/create_order_server_already_rented_http200.json",
    },
    {
      name: "server-offline for an offline server",
      body: onDemandBody(60104),
      status: 200,
      answer: { code: 6, error: "server-offline" },
      fixture: "errors/create_order_server_offline.json",
    },
    {
      name: "currency-not-allowed for a currency outside allowed_coins",
      body: onDemandBody(60102, { currency: "USD-Blockchain" }),
      status: 200,
      answer: { code: 6, error: "currency-not-allowed" },
      fixture: "errors/create_order_currency_not_allowed.json",
    },
    {
      name: "not_enough_balance when the wallet cannot pay the fee and an hour",
      setup: (e) => e.state.setWalletBalance("USD-Blockchain", 0.01),
      body: onDemandBody(41873),
      status: 200,
      answer: { code: 6, error: "not_enough_balance" },
      fixture: "errors/create_order_not_enough_balance.json",
    },
    {
      name: "too_low_price with min_price for a spot bid under the minimum",
      body: { type: "spot", currency: "CLORE-Blockchain", image: "x/y", renting_server: 38811, spotprice: 100 },
      status: 200,
      answer: { code: 6, error: "too_low_price", min_price: 300 },
    },
    {
      name: "code 1 (HTTP 500) when required_price differs from the current price",
      body: onDemandBody(41873, { required_price: 3.5 }),
      status: 500,
      answer: { code: 1 },
    },
    {
      name: "code 1 (HTTP 500) for a low balance with notEnoughBalanceCode: 1",
      setup: (e) => {
        e.options.notEnoughBalanceCode = 1;
        e.state.setWalletBalance("USD-Blockchain", 0);
      },
      body: onDemandBody(41873),
      status: 500,
      answer: { code: 1 },
    },
    {
      name: "code 2 for a spot order without spotprice",
      body: { type: "spot", currency: "CLORE-Blockchain", image: "x/y", renting_server: 38811 },
      status: 400,
      answer: { code: 2, error: 'spotprice: is required when type is "spot"' },
    },
    {
      name: "code 6 server_not_found (invented) for an unknown server",
      body: onDemandBody(1),
      status: 200,
      answer: { code: 6, error: "server_not_found" },
    },
  ];

  for (const row of rows) {
    it(`refuses with ${row.name} and creates nothing`, async () => {
      row.setup?.(emu);
      const r = await call(emu, "create_order", { body: row.body });
      assert.equal(r.status, row.status);
      assert.deepEqual(r.body, row.answer);
      if (row.fixture) assert.deepEqual(r.body, fixture(row.fixture));
      assert.deepEqual(emu.allOrders(), []);
    });
  }

  it("refuses a second create on a server the caller already rents with server-already-rented", async () => {
    await call(emu, "create_order", { body: onDemandBody(41873) });
    const r = await call(emu, "create_order", { body: onDemandBody(41873) });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { code: 6, error: "server-already-rented" });
    assert.equal(emu.allOrders().length, 1);
  });

  it("accepts a matching required_price, and any with requiredPriceMismatch: ignore", async () => {
    assert.deepEqual((await call(emu, "create_order", { body: onDemandBody(41873, { required_price: 3.6 }) })).body, {
      code: 0,
    });
    emu.options.requiredPriceMismatch = "ignore";
    assert.deepEqual((await call(emu, "create_order", { body: onDemandBody(52211, { required_price: 1 }) })).body, {
      code: 0,
    });
  });

  it("answers HTTP 500 code 1 for '&' in env with rejectAmpersandInEnv, and still creates the order", async () => {
    emu.options.rejectAmpersandInEnv = true;
    const r = await call(emu, "create_order", { body: onDemandBody(41873, { env: { URL: "a?b=1&c=2" } }) });
    assert.equal(r.status, 500);
    assert.deepEqual(r.body, { code: 1 });
    assert.equal(emu.activeOrders().length, 1);
    assert.deepEqual(emu.activeOrders()[0].env, { URL: "a?b=1&c=2" });
  });
});
