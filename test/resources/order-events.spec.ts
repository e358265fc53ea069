import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Emulator } from "../../provider/emulator";
import { configure } from "../../provider/resources/dynamic";
import { create, read, remove, update } from "../../provider/resources/order/controller";
import type { CloreClient, CreateOrderParams, LifecycleEvent } from "../../provider/sdk";
import { scratchDir } from "../helpers/scratch-dir";
import { USD_SERVERS, sdkClient, startFastEmulator } from "../reliability/helpers";

const ORDER: CreateOrderParams = {
  serverId: 60101,
  image: "cloreai/ubuntu22.04-cuda12",
  type: "on-demand",
  currency: "USD-Blockchain",
};
// Paced like the emulator (timeScale 0.05: 1 s → 50 ms) with a margin, so no request draws a 429.
const ENV = { CLORE_MIN_INTERVAL_MS: "55", CLORE_CREATE_INTERVAL_MS: "260", CLORE_RATE_LIMIT_SHARED: "0" };

/** The order controller's events, as an events file (clore:events) receives them. */
describe("CloreOrder lifecycle events", () => {
  let emu: Emulator;
  let client: CloreClient;
  let dir: string;
  let file: string;
  const saved = { ...process.env };

  before(async () => {
    emu = await startFastEmulator({ apiKey: `events-${randomBytes(6).toString("hex")}` });
    client = sdkClient(emu);
    dir = scratchDir("order-events");
    file = join(dir, "events.jsonl");
    Object.assign(process.env, ENV);
    const config: Record<string, string> = {
      "clore:apiKey": emu.apiKey,
      "clore:baseUrl": emu.url,
      "clore:events": `file:${file}`,
    };
    configure({ get: (k: string) => config[k] });
  });
  after(async () => {
    configure(undefined);
    for (const k of Object.keys(ENV)) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    await client?.close();
    await emu?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => rmSync(file, { force: true }));

  const events = (): LifecycleEvent[] =>
    existsSync(file)
      ? readFileSync(file, "utf8")
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l))
      : [];
  const summary = () => events().map((e) => [e.kind, e.orderId, e.serverId]);

  const servers = [...USD_SERVERS];
  async function rented(extra: Partial<CreateOrderParams> = {}) {
    const order = await client.createOrder({ ...ORDER, serverId: servers.shift()!, ...extra } as CreateOrderParams);
    const state = {
      ...ORDER,
      ...extra,
      serverId: order.serverId,
      waitForReady: false,
      readyTimeout: 60,
      orderId: order.id,
      status: "running",
      rentedAt: "2026-12-07T00:00:00Z",
      sshPassword: "Pw-order-events",
    };
    return { order, state };
  }

  it("update past the TTL cancels the order: one order.ttl-cancelled with its expiry", async () => {
    const { order, state } = await rented();
    const olds = { ...state, ttl: "1h", expiresOn: "2026-12-07T01:00:00.000Z" };
    await update(String(order.id), olds, { ...olds });
    assert.deepEqual(events(), [
      {
        kind: "order.ttl-cancelled",
        time: events()[0]!.time,
        orderId: order.id,
        serverId: order.serverId,
        expiresOn: "2026-12-07T01:00:00.000Z",
      },
    ]);
  });

  it("refresh of an ended on-demand order: order.ended; of an ended spot order: order.outbid, with its price", async () => {
    // Both end before either is read: one refresh shares one my_orders answer (and one
    // completed re-read) for its resources, which must list both.
    const onDemand = await rented();
    const spot = await rented({ type: "spot", spotPrice: 31 });
    await client.cancelOrder(onDemand.order.id);
    emu.outbid(spot.order.id);
    assert.deepEqual(await read(String(onDemand.order.id), onDemand.state), {});
    assert.deepEqual(await read(String(spot.order.id), spot.state), {});
    assert.deepEqual(summary(), [
      ["order.ended", onDemand.order.id, onDemand.order.serverId],
      ["order.outbid", spot.order.id, spot.order.serverId],
    ]);
    const outbid = events()[1]!;
    assert.deepEqual("price" in outbid && outbid.price, { perDay: 31, currency: "USD-Blockchain", usdPerDay: 31 });
    assert.ok(!readFileSync(file, "utf8").includes("Pw-order-events"));
  });

  it("a spot order outbid while create waits for it: order.rented then order.outbid, and the create fails keeping the id", async () => {
    emu.options.bootDelayMs = 200_000; // 10 s real: the wait is still on when the bid is lost
    try {
      const serverId = servers.shift()!;
      const props = {
        ...ORDER,
        serverId,
        type: "spot",
        spotPrice: 31,
        waitForReady: true,
        readyTimeout: 120,
        ports: { "22": "tcp" },
      };
      const creating = create(props, "urn:pulumi:dev::proj::pulumi-nodejs:dynamic:Resource::gpu").catch(
        (e: unknown) => e,
      );
      const until = Date.now() + 20_000;
      while (!events().length && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      const [order] = emu.activeOrders().filter((o) => o.serverId === serverId);
      emu.outbid(order!.id);
      const e = (await creating) as { id?: string };
      assert.equal(e.id, String(order!.id));
      assert.deepEqual(
        events().map((x) => [x.kind, x.orderId, x.stack, x.resource]),
        [
          ["order.rented", order!.id, "dev", "gpu"],
          ["order.outbid", order!.id, "dev", "gpu"],
        ],
      );
    } finally {
      emu.options.bootDelayMs = 0;
    }
  });

  it("a refresh that finds no end says nothing; delete: one order.cancelled", async () => {
    const { order, state } = await rented();
    await read(String(order.id), state);
    await remove(String(order.id), state);
    assert.deepEqual(summary(), [["order.cancelled", order.id, order.serverId]]);
  });
});
