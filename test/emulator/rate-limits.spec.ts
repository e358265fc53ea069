import { strict as assert } from "node:assert";
import { useEmulator } from "../helpers/emulator";
import { call, onDemandBody } from "./helpers";

// Real time (timeScale 1), so "two calls within 1 s" holds even on a slow machine; the tests
// move the virtual clock with advance() instead of sleeping.
describe("emulator: rate limits", () => {
  const emu = useEmulator({ timeScale: 1, apiKeys: ["other-key"] });
  beforeEach(() => {
    emu.reset();
    emu.advance(10_000);
  });

  it("answers a second call within 1 s with HTTP 429 and code 5", async () => {
    assert.equal((await call(emu, "wallets")).status, 200);
    const second = await call(emu, "my_orders");
    assert.equal(second.status, 429);
    assert.deepEqual(second.body, { code: 5 });
  });

  it("accepts the next call once 1 s has passed", async () => {
    await call(emu, "wallets");
    emu.advance(1000);
    assert.equal((await call(emu, "wallets")).status, 200);
  });

  it("counts each key on its own", async () => {
    await call(emu, "wallets");
    assert.equal((await call(emu, "wallets", { key: "other-key" })).status, 200);
    assert.equal((await call(emu, "wallets")).status, 429);
  });

  it("does not restart the window for a rejected call (rejectedRequestsCount: false)", async () => {
    await call(emu, "wallets");
    emu.advance(600);
    assert.equal((await call(emu, "wallets")).status, 429);
    emu.advance(400);
    assert.equal((await call(emu, "wallets")).status, 200);
  });

  it("allows one create_order per 5 s even when the 1 s budget is free", async () => {
    assert.deepEqual((await call(emu, "create_order", { body: onDemandBody(41873) })).body, { code: 0 });
    emu.advance(1000);
    const again = await call(emu, "create_order", { body: onDemandBody(52211) });
    assert.equal(again.status, 429);
    assert.deepEqual(again.body, { code: 5 });
    assert.equal((await call(emu, "my_orders")).status, 200, "the general lane is free after 1 s");
    emu.advance(4000);
    assert.deepEqual((await call(emu, "create_order", { body: onDemandBody(52211) })).body, { code: 0 });
  });

  it("counts a create toward the 1 s budget (createCountsTowardGeneral)", async () => {
    await call(emu, "create_order", { body: onDemandBody(41873) });
    assert.equal((await call(emu, "wallets")).status, 429);
  });

  it("scales the limits with timeScale in real time", async () => {
    emu.options.timeScale = 0.01;
    try {
      await call(emu, "wallets");
      await new Promise((r) => setTimeout(r, 15)); // 1.5 virtual s
      assert.equal((await call(emu, "wallets")).status, 200);
    } finally {
      emu.options.timeScale = 1;
    }
  });

  it("sends Retry-After with sendRetryAfter", async () => {
    emu.options.sendRetryAfter = true;
    try {
      await call(emu, "wallets");
      const r = await call(emu, "wallets");
      assert.equal(r.status, 429);
      assert.equal(r.headers["retry-after"], "1");
    } finally {
      emu.options.sendRetryAfter = false;
    }
  });

  it("enforces nothing with rateLimit: false", async () => {
    emu.options.rateLimit = false;
    try {
      for (let i = 0; i < 5; i++) assert.equal((await call(emu, "wallets")).status, 200);
    } finally {
      emu.options.rateLimit = true;
    }
  });
});
