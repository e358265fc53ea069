import { strict as assert } from "node:assert";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import type { Order } from "../../provider/sdk";
import { CliHarness, tableHeader, tableRows } from "./helpers";

const DYNAMIC = "pulumi-nodejs:dynamic:Resource";

/** A dynamic-provider order resource as our provider records it (id = order id). */
function orderResource(name: string, order: Order) {
  return {
    urn: `urn:pulumi:dev::gpu-farm::${DYNAMIC}::${name}`,
    custom: true,
    id: String(order.id),
    type: DYNAMIC,
    inputs: { serverId: order.serverId, image: order.image },
    outputs: { serverId: order.serverId, orderId: order.id, image: order.image, sshHost: order.sshHost ?? "" },
  };
}

const STACK = {
  urn: "urn:pulumi:dev::gpu-farm::pulumi:pulumi:Stack::gpu-farm-dev",
  custom: false,
  type: "pulumi:pulumi:Stack",
};

describe("clore orphans", () => {
  const h = new CliHarness();
  let managed: Order; // in the stack
  let byHand: Order; // created with the SDK, outside Pulumi
  let interrupted: Order; // created by a `pulumi up` that died before saving it
  let exportFile: string;

  before(async () => {
    await h.start();
    [managed, byHand, interrupted] = await h.rent(3);
    // `pulumi stack export` of a stack whose `up` was interrupted while creating "worker":
    // the order exists but the state only has a pending create without an id.
    exportFile = join(h.home, "dev.json");
    writeFileSync(
      exportFile,
      JSON.stringify({
        version: 3,
        deployment: {
          manifest: { time: "2025-01-01T00:00:00Z", magic: "", version: "v3.274.1" },
          resources: [STACK, orderResource("trainer", managed)],
          pending_operations: [
            {
              resource: {
                urn: `urn:pulumi:dev::gpu-farm::${DYNAMIC}::worker`,
                custom: true,
                type: DYNAMIC,
                inputs: { serverId: interrupted.serverId, image: "cloreai/ubuntu22.04-cuda12" },
              },
              type: "creating",
            },
          ],
        },
      }),
    );
  });
  after(() => h.stop());

  const activeIds = () =>
    h.emu
      .activeOrders()
      .map((o) => o.id)
      .sort();

  it("lists the orders the stack doesn't know, with age and daily cost, and cancels nothing", async () => {
    const r = await h.run(["orphans", "--state", exportFile]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
    assert.deepEqual(tableHeader(r.stdout), ["ID", "SERVER", "GPU", "IMAGE", "AGE", "COST/DAY", "SPENT", "NOTE"]);
    const rows = tableRows(r.stdout);
    assert.deepEqual(rows.map((row) => Number(row[0])).sort(), [byHand.id, interrupted.id].sort());
    const row = (id: number) => rows.find((x) => Number(x[0]) === id)!;
    assert.equal(row(byHand.id)[5], `$${byHand.price!.toFixed(2)}/day`);
    assert.match(row(byHand.id)[4], /^\d+ (s|min|h)/);
    assert.equal(row(interrupted.id)[7], "interrupted create in gpu-farm/dev");
    assert.equal(row(byHand.id)[7], "-");
    const total = (byHand.price! + interrupted.price!).toFixed(2);
    assert.ok(
      r.stdout.includes(`\n2 orphaned orders (of 3 active; 1 stack state read) costing $${total}/day.\n`),
      r.stdout,
    );
    assert.ok(
      r.stdout.endsWith(`\nNothing was cancelled. To cancel them: clore orphans --state ${exportFile} --cancel\n`),
      r.stdout,
    );
    assert.deepEqual(activeIds(), [managed.id, byHand.id, interrupted.id].sort());
  });

  it("--json: the whole document", async () => {
    const { run, doc } = await h.json(["orphans", "--state", exportFile]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, "");
    const orphanIds = doc.orphans.map((o: { id: number }) => o.id);
    assert.deepEqual(orphanIds.slice().sort(), [byHand.id, interrupted.id].sort());
    for (const o of doc.orphans) {
      assert.equal(o.usdPerDay, o.price);
      assert.equal(typeof o.ageSeconds, "number");
      assert.equal(o.status, "running");
    }
    // Everything but the orders themselves (whose `spend` keeps growing) compared whole:
    assert.deepEqual(
      {
        ...doc,
        orphans: doc.orphans.map((o: { id: number; interruptedCreate: unknown }) => ({
          id: o.id,
          interruptedCreate: o.interruptedCreate,
        })),
      },
      {
        stacks: [
          {
            source: exportFile,
            stack: "gpu-farm/dev",
            orderIds: [managed.id],
            pendingCreates: [{ urn: `urn:pulumi:dev::gpu-farm::${DYNAMIC}::worker`, serverId: interrupted.serverId }],
          },
        ],
        activeOrders: 3,
        orphans: [byHand, interrupted]
          .sort((a, b) => (a.ct ?? 0) - (b.ct ?? 0) || a.id - b.id)
          .map((o) => ({
            id: o.id,
            interruptedCreate:
              o === interrupted ? { stack: "gpu-farm/dev", urn: `urn:pulumi:dev::gpu-farm::${DYNAMIC}::worker` } : null,
          })),
        stale: [],
        unknown: [],
        cancelled: [],
        failed: [],
      },
    );
  });

  it("reads a local backend directory: raw checkpoints (also gzipped), ignoring .bak copies", async () => {
    const dir = join(h.home, "backend");
    const stacks = join(dir, ".pulumi", "stacks", "gpu-farm");
    mkdirSync(stacks, { recursive: true });
    // The checkpoint knows `managed` only by its id (outputs without orderId).
    const trainer = { ...orderResource("trainer", managed), outputs: { serverId: managed.serverId } };
    writeFileSync(
      join(stacks, "dev.json"),
      JSON.stringify({
        version: 3,
        checkpoint: { stack: "organization/gpu-farm/dev", latest: { manifest: {}, resources: [STACK, trainer] } },
      }),
    );
    // A backup that still lists byHand must not count.
    writeFileSync(
      join(stacks, "dev.json.bak"),
      JSON.stringify({ version: 3, checkpoint: { latest: { resources: [orderResource("old", byHand)] } } }),
    );
    // A second, gzipped stack that manages `interrupted`.
    writeFileSync(
      join(stacks, "prod.json.gz"),
      gzipSync(
        JSON.stringify({
          version: 3,
          checkpoint: {
            stack: "prod",
            latest: {
              resources: [
                { ...orderResource("worker", interrupted), urn: `urn:pulumi:prod::gpu-farm::${DYNAMIC}::worker` },
              ],
            },
          },
        }),
      ),
    );
    // An empty stack (never deployed).
    writeFileSync(
      join(stacks, "empty.json"),
      JSON.stringify({ version: 3, checkpoint: { stack: "empty", latest: null } }),
    );

    const { run, doc } = await h.json(["orphans", "--backend-dir", dir]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(
      doc.orphans.map((o: { id: number }) => o.id),
      [byHand.id],
    );
    assert.deepEqual(
      doc.stacks.map((s: { source: string; stack: string; orderIds: number[] }) => [s.source, s.stack, s.orderIds]),
      [
        [join(stacks, "dev.json"), "gpu-farm/dev", [managed.id]],
        [join(stacks, "empty.json"), "empty", []],
        [join(stacks, "prod.json.gz"), "gpu-farm/prod", [interrupted.id]],
      ],
    );
  });

  it("--cancel without a terminal needs --yes, and cancels nothing", async () => {
    const r = await h.run(["orphans", "--state", exportFile, "--cancel"]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "");
    assert.equal(
      r.stderr,
      "Error: --cancel needs confirmation, and there is no terminal to ask on.\n" +
        `Add --yes to cancel without asking: clore orphans --state ${exportFile} --cancel --yes\n`,
    );
    assert.deepEqual(activeIds(), [managed.id, byHand.id, interrupted.id].sort());
  });

  it("needs at least one stack state, and says how to get one", async () => {
    const r = await h.run(["orphans", "--cancel", "--yes"]);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      "Error: orphans needs the Pulumi stack states to compare against.\n" +
        "Pass --state FILE (from `pulumi stack export --file FILE`) or --backend-dir DIR (from `pulumi login file://DIR`).\n",
    );
    const missing = await h.run(["orphans", "--state", join(h.home, "nope.json")]);
    assert.equal(missing.code, 1);
    assert.equal(
      missing.stderr,
      `Error: cannot read stack state ${join(h.home, "nope.json")}: no such file.\nExport the stack with: pulumi stack export --file state.json   (then pass --state state.json)\n`,
    );
    const notState = join(h.home, "not-state.json");
    writeFileSync(notState, JSON.stringify({ hello: 1 }));
    const wrong = await h.run(["orphans", "--state", notState]);
    assert.equal(wrong.code, 1);
    assert.equal(
      wrong.stderr,
      `Error: ${notState} is not a Pulumi stack state (no "deployment" or "checkpoint" object).\nExport one with: pulumi stack export --file state.json\n`,
    );
    assert.deepEqual(activeIds(), [managed.id, byHand.id, interrupted.id].sort());
  });

  it("--cancel --yes cancels exactly the orphans, one swept event each; the managed order keeps running", async () => {
    const events = join(h.home, "events.jsonl");
    const { run, doc } = await h.json(["orphans", "--state", exportFile, "--cancel", "--yes"], {
      env: { CLORE_EVENTS: `file:${events}` },
    });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(doc.cancelled.slice().sort(), [byHand.id, interrupted.id].sort());
    const swept = readFileSync(events, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      swept.map((e) => [e.kind, e.orderId, e.serverId]).sort(),
      [byHand, interrupted].map((o) => ["order.orphan-swept", o.id, o.serverId]).sort(),
    );
    assert.deepEqual(doc.failed, []);
    assert.deepEqual(activeIds(), [managed.id]);
    const ended = h.emu.allOrders().filter((o) => o.id !== managed.id);
    assert.deepEqual(
      ended.map((o) => o.endReason),
      ["cancelled", "cancelled"],
    );

    const again = await h.run(["orphans", "--state", exportFile]);
    assert.equal(again.code, 0);
    assert.equal(again.stdout, "No orphaned orders: all 1 active order belong to a stack.\n");
  });

  it("exit 3 when some cancels fail, listing the orders still running", async () => {
    const [a, b] = await h.rent(2);
    const plain = join(h.home, "plain.json");
    writeFileSync(
      plain,
      JSON.stringify({ version: 3, deployment: { resources: [STACK, orderResource("trainer", managed)] } }),
    );
    // Hold cancel_orders until `b` has ended by itself, so the API fails to cancel it.
    h.emu.faults.inject({ endpoint: "cancel_orders", kind: "delay", delayMs: 1500, times: 1 });
    const cancels = () => h.emu.requests.filter((r) => r.endpoint === "cancel_orders").length;
    const before = cancels();
    const pending = h.run(["orphans", "--state", plain, "--cancel", "--yes"]);
    const t0 = Date.now();
    while (cancels() === before && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 20));
    h.emu.endOrder(b.id);
    const r = await pending;
    assert.equal(r.code, 3, r.stderr);
    const rows = tableRows(r.stdout);
    assert.deepEqual(Object.fromEntries(rows.map((row) => [Number(row[0]), row[7]])), {
      [a.id]: "cancelled",
      [b.id]: "cancel failed",
    });
    assert.ok(r.stdout.includes(`Cancelled 1 order: ${a.id}.`), r.stdout);
    assert.equal(
      r.stderr,
      `Error: 1 of 2 cancels failed; these orders are still running:\n  order ${b.id}\nRetry one with: clore cancel ${b.id}\n`,
    );
  });

  it("--expired lists and cancels stack orders past their ttl, and only with --cancel", async () => {
    const [fresh, old] = await h.rent(2);
    const withTtl = (name: string, o: Order, expiresOn: string) => {
      const r = orderResource(name, o);
      return { ...r, type: "pulumi-nodejs:dynamic/clore:Order", outputs: { ...r.outputs, expiresOn } };
    };
    const file = join(h.home, "ttl.json");
    writeFileSync(
      file,
      JSON.stringify({
        version: 3,
        deployment: {
          resources: [
            STACK,
            orderResource("trainer", managed),
            withTtl("fresh", fresh, "2999-01-01T00:00:00.000Z"),
            withTtl("old", old, "2001-01-01T00:00:00.000Z"),
          ],
        },
      }),
    );
    const listed = await h.json(["orphans", "--state", file]);
    assert.deepEqual(
      listed.doc.orphans.map((x: Order) => x.id),
      [],
      "without --expired the stack's orders are not orphans",
    );
    const expired = await h.json(["orphans", "--state", file, "--expired"]);
    assert.deepEqual(
      expired.doc.orphans.map((x: Order) => x.id),
      [old.id],
    );
    assert.equal(expired.doc.orphans[0].expiredOn, "2001-01-01T00:00:00.000Z");
    assert.ok(
      h.emu.activeOrders().some((x) => x.id === old.id),
      "listed without --cancel, yet cancelled",
    );
    const cancelled = await h.json(["orphans", "--state", file, "--expired", "--cancel", "--yes"]);
    assert.deepEqual(cancelled.doc.cancelled, [old.id]);
    assert.ok(h.emu.activeOrders().some((x) => x.id === fresh.id));
    assert.ok(!h.emu.activeOrders().some((x) => x.id === old.id));
    assert.equal((await h.run(["cancel", String(fresh.id)])).code, 0);
  });

  it("warns about orders in a stack that are no longer active", async () => {
    h.emu.endOrder(managed.id);
    const r = await h.run(["orphans", "--state", exportFile]);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, "No orders found.\n");
    assert.equal(
      r.stderr,
      `Warning: order ${managed.id} is in ${exportFile} but not active any more; run \`pulumi refresh\` on that stack.\n`,
    );
  });
});
