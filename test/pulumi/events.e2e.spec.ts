import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { scratchDir } from "../helpers/scratch-dir";
import { REPO, emulatorStack } from "./harness";

const PROGRAM = join(REPO, "test/pulumi/programs/order");
const SSH_PASSWORD = "Pw-events-0123";
const ENV_SECRET = "hf-token-events-0123";

/**
 * A webhook on 127.0.0.1 that records each body it takes; `mode` says how it answers:
 * "flaky" refuses the first try of each event with a 500 (it takes the retry).
 */
async function startWebhook() {
  const bodies: Array<Record<string, unknown>> = [];
  const refused = new Set<string>();
  const hook = { mode: "ok" as "ok" | "hang" | "500" | "flaky", bodies, url: "", close: async () => {} };
  const server: Server = createServer((req, res) => {
    let data = "";
    req.on("data", (c) => (data += c));
    req.on("end", () => {
      if (hook.mode === "hang") return; // never answers
      const body = JSON.parse(data);
      const id = `${body.kind}:${body.orderId}`;
      if (hook.mode === "flaky" && !refused.has(id)) {
        refused.add(id);
        return void res.writeHead(500).end();
      }
      bodies.push(body);
      res.writeHead(hook.mode === "500" ? 500 : 200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  hook.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T0/SECRET-PATH`;
  hook.close = () => {
    server.closeAllConnections();
    return new Promise<void>((r) => server.close(() => r()));
  };
  return hook;
}

/** Deliveries are fire and forget: give them a moment to land after the command returns. */
async function until(what: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!what() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
}

describe("lifecycle events (pulumi e2e)", function () {
  this.timeout(600_000);
  let hook: Awaited<ReturnType<typeof startWebhook>>;
  let dir: string;
  beforeEach(async () => {
    hook = await startWebhook();
    dir = scratchDir("events-e2e");
  });
  afterEach(async () => {
    await hook.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("a webhook and a JSON-lines file get every event of up → outbid → re-create → destroy, in order, with no secret", async () => {
    // Every event is taken on its retry: also the destroy's last one, queued as the engine stops the plugin.
    hook.mode = "flaky";
    const file = join(dir, "events.jsonl");
    const s = await emulatorStack(PROGRAM, {
      config: { serverId: "60101", type: "spot", spotPrice: "31" },
      secrets: {
        "clore:events": `${hook.url},file:${file}`,
        sshPassword: SSH_PASSWORD,
        env: JSON.stringify({ HF_TOKEN: ENV_SECRET }),
      },
    });
    try {
      const { emu, stack } = s;
      await stack.up();
      const [first] = emu.activeOrders();
      await until(() => hook.bodies.length >= 2);
      emu.outbid(first!.id);
      await stack.refresh();
      await until(() => hook.bodies.length >= 3);
      await stack.up();
      const [second] = emu.activeOrders();
      assert.ok(second && second.id !== first!.id, "the outbid order was not re-created");
      await until(() => hook.bodies.length >= 5);
      await stack.destroy();
      await until(() => hook.bodies.length >= 6);
      assert.equal(emu.activeOrders().length, 0);

      const expected = [
        ["order.rented", first!.id],
        ["order.ready", first!.id],
        ["order.outbid", first!.id],
        ["order.rented", second!.id],
        ["order.ready", second!.id],
        ["order.cancelled", second!.id],
      ];
      assert.deepEqual(
        hook.bodies.map((b) => [b.kind, b.orderId]),
        expected,
      );
      const lines = readFileSync(file, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      assert.deepEqual(
        lines.map((b) => [b.kind, b.orderId]),
        expected,
      );
      const rented = hook.bodies[0]!;
      assert.equal(rented.serverId, 60101);
      assert.equal(rented.stack, "test");
      assert.equal(rented.resource, "order-0");
      assert.deepEqual(rented.price, { perDay: 31, currency: "USD-Blockchain", usdPerDay: 31 });
      assert.match(
        String(rented.text),
        /^clore: order \d+ on server 60101 rented \(31 USD-Blockchain\/day\) \[test\/order-0\]$/,
      );
      assert.match(String(hook.bodies[2]!.text), /was outbid/);
      const everything = JSON.stringify(hook.bodies) + readFileSync(file, "utf8");
      for (const secret of [emu.apiKey, SSH_PASSWORD, ENV_SECRET, "SECRET-PATH"])
        assert.ok(!everything.includes(secret), `an event holds ${secret}`);
    } finally {
      await s.close();
    }
  });

  it("a malformed clore:events fails the preview naming it, and sends nothing to the API", async () => {
    const s = await emulatorStack(PROGRAM, {
      config: { serverId: "60101" },
      secrets: { "clore:events": "stdout,slack" },
    });
    try {
      const r = await s.stack.preview([]).catch((e: Error) => ({ stdout: e.message }));
      assert.match(r.stdout, /clore:events: expected stdout, file:\/path or an http\(s\):\/\/ webhook URL/);
      assert.equal(s.emu.requests.length, 0);
    } finally {
      await s.close();
    }
  });

  it("a webhook that hangs or answers 500 changes nothing in up and destroy, and their time by at most its timeout", async () => {
    const s = await emulatorStack(PROGRAM, { config: { serverId: "60101" } });
    const timed = async (run: () => Promise<unknown>) => {
      const t0 = performance.now();
      await run();
      return performance.now() - t0;
    };
    const cycle = async () => {
      const up = await timed(() => s.stack.up());
      const orders = s.emu.activeOrders().length;
      const destroy = await timed(() => s.stack.destroy());
      return { up, destroy, orders, left: s.emu.activeOrders().length };
    };
    try {
      const plain = await cycle();
      await s.stack.setConfig("clore:events", hook.url, true);
      hook.mode = "hang";
      const hanging = await cycle();
      hook.mode = "500";
      const failing = await cycle();
      for (const [name, c] of Object.entries({ plain, hanging, failing })) {
        assert.equal(c.orders, 1, `${name}: up did not rent the order`);
        assert.equal(c.left, 0, `${name}: destroy left an order`);
      }
      // Each command waits at most the webhook timeout (5 s) for what is queued when the
      // engine stops the plugin; a loaded machine gets 4 s of margin.
      for (const [name, c] of Object.entries({ hanging, failing }))
        for (const op of ["up", "destroy"] as const)
          assert.ok(
            c[op] <= plain[op] + 9000,
            `${name} ${op}: ${Math.round(c[op])} ms against ${Math.round(plain[op])} ms without events`,
          );
    } finally {
      await s.close();
    }
  });
});
