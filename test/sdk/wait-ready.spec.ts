import assert from "node:assert/strict";
import { createServer } from "node:net";
import {
  CloreClient,
  FakeClock,
  type Order,
  OrderEndedError,
  RateLimiter,
  ReadyTimeoutError,
  isCloreError,
  probeTcp,
  waitUntilReady,
} from "../../provider/sdk";
import { FakeTransport, byEndpoint, uniqueKey } from "../helpers/fake-transport";

/** A my_orders answer with one order: booting (no endpoints) or with host and ssh port. */
function myOrders(booted: boolean) {
  const order = {
    id: 700001,
    si: 41873,
    ct: 1_700_000_000,
    online: booted,
    mon_container: booted ? 2 : 0,
    pub_cluster: booted ? ["n1.example"] : [],
    tcp_ports: booted ? ["22:10922"] : [],
  };
  return { json: { code: 0, orders: [order] } };
}

function setup(replies: ReturnType<typeof myOrders>[]) {
  const clock = new FakeClock();
  const transport = new FakeTransport(byEndpoint({ my_orders: replies }), clock);
  const client = new CloreClient({
    apiKey: uniqueKey("ready"),
    clock,
    rateLimiter: new RateLimiter({ clock }),
    transport,
  });
  return { clock, transport, client };
}

const booting = (): Order =>
  ({ id: 700001, serverId: 41873, pubHost: undefined, tcpPortMap: {}, status: "provisioning" }) as unknown as Order;

describe("waitUntilReady (the SDK's one readiness wait)", () => {
  it("polls my_orders only until the endpoints exist, then probes the port without API calls", async () => {
    const { clock, transport, client } = setup([myOrders(false), myOrders(true)]);
    let probes = 0;
    const start = clock.now();
    const ready = await waitUntilReady(client, booting(), {
      ports: { "22": "tcp" },
      timeoutMs: 600_000,
      // The port answers only after 5 minutes of probing.
      probe: async () => {
        probes++;
        return clock.now() - start > 300_000 ? { ok: true } : { ok: false, reason: "connection refused" };
      },
    });
    assert.equal(ready.sshPort, 10922);
    assert.ok(probes > 250, `probed ${probes} times`);
    // Two reads to find the endpoints, then one every 30 s just to notice an order that ended.
    const reads = transport.endpoints.filter((e) => e === "my_orders").length;
    assert.ok(reads <= 2 + 11, `${reads} my_orders calls in 5 min of probing`);
  });

  it("says why the port did not answer, and that the order keeps billing, when it times out", async () => {
    const { client } = setup([myOrders(true)]);
    const order = (await client.myOrders())[0]!;
    const progress: string[] = [];
    await assert.rejects(
      waitUntilReady(client, order, {
        ports: { "22": "tcp" },
        timeoutMs: 60_000,
        onProgress: (m) => progress.push(m),
        probe: async () => ({ ok: false, reason: "n1.example does not resolve" }),
      }),
      (e: unknown) => {
        assert.ok(e instanceof ReadyTimeoutError && isCloreError(e));
        assert.equal(e.code, "CLORE_READY_TIMEOUT");
        assert.match(
          e.message,
          /order 700001 was not ready after 60 s \(still waiting for n1\.example:10922 to accept a connection \(n1\.example does not resolve\)\)\. It keeps running and billing/,
        );
        return true;
      },
    );
    // Once the endpoints exist the progress says so, instead of "booting for N s".
    assert.ok(progress.length >= 3);
    assert.ok(
      progress.every((m) => /has its endpoints since \d+ s ago; waiting for n1\.example:10922/.test(m)),
      progress.join("\n"),
    );
  });

  it("keeps waiting when my_orders leaves the order out (not proof it ended)", async () => {
    const empty = { json: { code: 0, orders: [] } };
    // Booting, then two reads (and their completed re-reads) that list nothing, then booted.
    const { client } = setup([myOrders(false), empty, empty, empty, empty, myOrders(true)]);
    const progress: string[] = [];
    const ready = await waitUntilReady(client, booting(), {
      ports: { "22": "tcp" },
      timeoutMs: 600_000,
      onProgress: (m) => progress.push(m),
      probe: async () => ({ ok: true }),
    });
    assert.equal(ready.sshPort, 10922);
  });

  it("stops with OrderEndedError only when the API lists the order as ended", async () => {
    const ended = { json: { code: 0, orders: [{ ...myOrders(false).json.orders[0]!, expired: true }] } };
    const { client } = setup([{ json: { code: 0, orders: [] } }, ended]);
    await assert.rejects(
      waitUntilReady(client, booting(), { ports: { "22": "tcp" }, timeoutMs: 600_000 }),
      (e: unknown) => e instanceof OrderEndedError && /order 700001 has ended/.test(e.message),
    );
  });

  it("reports booting with what is missing while there are no endpoints", async () => {
    const { client } = setup([myOrders(false)]);
    const progress: string[] = [];
    await assert.rejects(
      waitUntilReady(client, booting(), {
        ports: { "22": "tcp" },
        timeoutMs: 40_000,
        onProgress: (m) => progress.push(m),
      }),
      ReadyTimeoutError,
    );
    assert.match(
      progress[0]!,
      /^order 700001 on server 41873 booting for \d+ s; waiting for public host \(pub_cluster\), tcp port 22 mapping$/,
    );
  });

  describe("probeTcp", () => {
    it("answers ok for a listening port and names refused connections and unresolvable hosts", async () => {
      const server = createServer((s) => s.end());
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      const port = (server.address() as { port: number }).port;
      assert.deepEqual(await probeTcp("127.0.0.1", port), { ok: true });
      await new Promise<void>((r) => server.close(() => r()));
      assert.deepEqual(await probeTcp("127.0.0.1", port), { ok: false, reason: "connection refused" });
      assert.deepEqual(await probeTcp("no-such-host.invalid", 22), {
        ok: false,
        reason: "no-such-host.invalid does not resolve",
      });
    });
  });
});
