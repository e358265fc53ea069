import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import type { Emulator } from "../../provider/emulator";
import { configure } from "../../provider/resources/dynamic";
import { read } from "../../provider/resources/order/controller";
import type { CloreClient } from "../../provider/sdk";
import { USD_SERVERS, sdkClient, startFastEmulator } from "../reliability/helpers";

const DAY = 86_400_000;
const ENV = { CLORE_MIN_INTERVAL_MS: "55", CLORE_CREATE_INTERVAL_MS: "260", CLORE_RATE_LIMIT_SHARED: "0" };

/** What a user reads on a bill: spend so far and price per hour in USD, refreshed from the shared my_orders answer. */
describe("CloreOrder cost outputs (spend, spendUsd, pricePerHourUsd) on refresh", () => {
  let emu: Emulator;
  let client: CloreClient;
  const saved = { ...process.env };

  before(async () => {
    emu = await startFastEmulator({ apiKey: `cost-${randomBytes(6).toString("hex")}` });
    client = sdkClient(emu);
    Object.assign(process.env, ENV);
    configure({ get: (k: string) => ({ "clore:apiKey": emu.apiKey, "clore:baseUrl": emu.url })[k] });
  });
  after(async () => {
    configure(undefined);
    for (const k of Object.keys(ENV)) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    await client?.close();
    await emu?.close();
  });

  it("refresh shows the spend after time passed (the emulator's figure), in USD exactly for a USD order, two orders on one my_orders call", async () => {
    const base = { image: "cloreai/ubuntu22.04-cuda12", type: "on-demand", currency: "USD-Blockchain" } as const;
    const a = await client.createOrder({ ...base, serverId: USD_SERVERS[0]! });
    const b = await client.createOrder({ ...base, serverId: USD_SERVERS[1]! });
    const props = (o: typeof a) => ({
      ...base,
      serverId: o.serverId,
      orderId: o.id,
      waitForReady: false,
      readyTimeout: 60,
    });
    emu.advance(DAY / 2);
    const before = emu.requests.filter((r) => r.endpoint === "my_orders").length;
    const [ra, rb] = await Promise.all([read(String(a.id), props(a)), read(String(b.id), props(b))]);
    assert.equal(
      emu.requests.filter((r) => r.endpoint === "my_orders").length - before,
      1,
      "one shared my_orders answer",
    );
    const spendA = emu.allOrders().find((o) => o.id === a.id)!.spend;
    assert.ok(Number(ra.props!.spend) > 0);
    assert.ok(Math.abs(Number(ra.props!.spend) - spendA) < a.price! / 1000, `${ra.props!.spend} vs ${spendA}`);
    assert.equal(ra.props!.spendUsd, ra.props!.spend);
    assert.equal(ra.props!.pricePerHourUsd, a.price! / 24);
    assert.equal(ra.props!.costApproximate, false);
    assert.equal(rb.props!.pricePerHourUsd, b.price! / 24);
  });
});
