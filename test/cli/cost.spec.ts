import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { run } from "../../provider/cli/main";
import type { Emulator } from "../../provider/emulator";
import type { CloreClient, Order } from "../../provider/sdk";
import { isolatedClient, useEmulator } from "../helpers/emulator";

const DAY = 86_400_000;
const DYNAMIC = "pulumi-nodejs:dynamic:Resource";

/** `clore ARGS` in this process (commander exitOverride), against the emulator. */
async function clore(emu: Emulator, home: string, args: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await run(args, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    stdin: Readable.from([]) as never,
    env: {
      HOME: home,
      CLORE_API_KEY: emu.apiKey,
      CLORE_BASE_URL: emu.url,
      CLORE_MIN_INTERVAL_MS: "10",
      CLORE_CREATE_INTERVAL_MS: "50",
      CLORE_BACKOFF_MS: "1",
    },
  });
  return { code, stdout, stderr };
}

describe("clore cost (emulator, time passing)", () => {
  const emu = useEmulator({ port: 0, timeScale: 0.01 });
  let home: string;
  let client: CloreClient;
  let stackOrders: Order[];
  let ended: Order;
  let stateFile: string;

  // The SDK reads its limiter tuning from the process environment (as a child process would).
  const tuning = { CLORE_MIN_INTERVAL_MS: "10", CLORE_CREATE_INTERVAL_MS: "50", CLORE_BACKOFF_MS: "1" };
  const saved = Object.fromEntries(Object.keys(tuning).map((k) => [k, process.env[k]]));
  before(async () => {
    Object.assign(process.env, tuning);
    home = mkdtempSync(join(tmpdir(), "clore-cost-"));
    client = isolatedClient(emu, {
      configPath: join(home, "none.json"),
      limits: { minIntervalMs: 10, createIntervalMs: 50 },
    });
    const st = emu.state;
    const free = (c: string) =>
      st
        .marketplaceServers()
        .filter((s) => s.online && !s.gigaspot && !st.isRented(s) && (s.allowedCoins as string[]).includes(c))
        .filter((s) => typeof s.onDemand[c as "USD-Blockchain"] === "number")
        .map((s) => s.id);
    const rent = (serverId: number, currency: string) =>
      client.createOrder({ serverId, image: "cloreai/ubuntu22.04-cuda12", type: "on-demand", currency } as never);
    const usdServers = free("USD-Blockchain");
    stackOrders = [await rent(usdServers[0], "USD-Blockchain"), await rent(usdServers[1], "USD-Blockchain")];
    const cloreServer = free("CLORE-Blockchain").find((id) => !usdServers.slice(0, 2).includes(id))!;
    ended = await rent(cloreServer, "CLORE-Blockchain");
    // Time passes: 1.5 days, the CLORE order is cancelled, one more day.
    emu.advance(1.5 * DAY);
    await client.cancelOrder(ended.id);
    emu.advance(1 * DAY);
    stateFile = join(home, "dev.json");
    writeFileSync(
      stateFile,
      JSON.stringify({
        version: 3,
        deployment: {
          resources: stackOrders.map((o, i) => ({
            urn: `urn:pulumi:dev::gpu-farm::${DYNAMIC}::worker-${i}`,
            custom: true,
            id: String(o.id),
            type: DYNAMIC,
            inputs: { serverId: o.serverId },
            outputs: { serverId: o.serverId, orderId: o.id },
          })),
        },
      }),
    );
    // Freeze the clock so the emulator's figures and the CLI's reads agree to the last digit.
    emu.options.timeScale = 1e9;
    emu.options.rateLimit = false;
  });
  after(async () => {
    for (const [k, v] of Object.entries(saved))
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    await client?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  /** The emulator's own spend per currency. */
  const emulatorSpend = () => {
    const by: Record<string, number> = {};
    for (const o of emu.allOrders()) by[o.currency] = (by[o.currency] ?? 0) + o.spend;
    return by;
  };

  it("--json: totals per currency equal the emulator's spend; ended orders included; spend per stack", async () => {
    const r = await clore(emu, home, ["cost", "--state", stateFile, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    const want = emulatorSpend();
    assert.deepEqual(doc.totals.map((t: { key: string }) => t.key).sort(), Object.keys(want).sort());
    for (const t of doc.totals)
      assert.ok(Math.abs(t.spend[t.key] - want[t.key]) < 1e-9, `${t.key}: ${t.spend[t.key]} vs ${want[t.key]}`);
    const endedRow = doc.orders.find((o: { id: number }) => o.id === ended.id);
    assert.equal(endedRow.status, "ended");
    assert.ok(endedRow.spend > 0);
    const stack = doc.byStack.find((g: { key: string }) => g.key === "gpu-farm/dev");
    assert.equal(stack.orders, 2);
    const usdOfStack = emu
      .allOrders()
      .filter((o) => stackOrders.some((s) => s.id === o.id))
      .reduce((t, o) => t + o.spend, 0);
    assert.ok(Math.abs(stack.spendUsd - usdOfStack) < 1e-9);
    assert.ok(Math.abs(stack.spend["USD-Blockchain"] - usdOfStack) < 1e-9);
    // Per day sums back to the total.
    const dayUsd = doc.byDay.reduce(
      (t: number, d: { spend: Record<string, number> }) => t + (d.spend["USD-Blockchain"] ?? 0),
      0,
    );
    assert.ok(Math.abs(dayUsd - want["USD-Blockchain"]) < 1e-9);
  });

  it("table: the Total line matches the emulator within rounding, and the chart has a bar per day", async () => {
    const r = await clore(emu, home, ["cost", "--state", stateFile]);
    assert.equal(r.code, 0, r.stderr);
    const want = emulatorSpend();
    const total = /^Total\s+(.*)$/m.exec(r.stdout)?.[1] ?? "";
    const usdShown = Number(/(?:^|, )\$([\d.]+)/.exec(total)?.[1]);
    assert.ok(Math.abs(usdShown - want["USD-Blockchain"]) < 0.01, total);
    const cloreShown = Number(/([\d.]+) CLORE/.exec(total)?.[1]);
    assert.ok(Math.abs(cloreShown - want["CLORE-Blockchain"]) < 0.01, total);
    const bars = r.stdout.split("\n").filter((l) => /^\d{4}-\d{2}-\d{2} │/.test(l));
    // 2.5 days of running touch at least 3 UTC days; every day has a bar of block characters.
    assert.ok(bars.length >= 3, r.stdout);
    for (const b of bars) assert.match(b, /│[█▏▎▍▌▋▊▉]+\s/);
    assert.match(r.stdout, /gpu-farm\/dev/);
    if (process.env.SHOW_COST) process.stdout.write(r.stdout);
  });

  it("--csv: raw numbers that add up to the emulator's spend; --by day rows are days", async () => {
    const r = await clore(emu, home, ["cost", "--csv"]);
    assert.equal(r.code, 0, r.stderr);
    const [head, ...rows] = r.stdout
      .trim()
      .split("\n")
      .map((l) => l.split(","));
    const ci = head.indexOf("currency");
    const si = head.indexOf("spend");
    const sum: Record<string, number> = {};
    for (const row of rows) sum[row[ci]] = (sum[row[ci]] ?? 0) + Number(row[si]);
    const want = emulatorSpend();
    for (const c of Object.keys(want)) assert.ok(Math.abs(sum[c] - want[c]) < 1e-9, c);
    const days = await clore(emu, home, ["cost", "--csv", "--by", "day"]);
    const dayRows = days.stdout.trim().split("\n").slice(1);
    assert.ok(dayRows.length >= 3);
    for (const row of dayRows) assert.match(row, /^\d{4}-\d{2}-\d{2},/);
  });

  it("--since/--until cut the spend to the range (pro rata, marked ≈); a bad date fails before any API call", async () => {
    const createdMs = stackOrders[0].ct! * 1000;
    const since = new Date(createdMs + 0.5 * DAY).toISOString();
    const until = new Date(createdMs + 1.5 * DAY).toISOString();
    const r = await clore(emu, home, ["cost", "--since", since, "--until", until, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    const row = doc.orders.find((o: { id: number }) => o.id === stackOrders[0].id);
    const full = emu.allOrders().find((o) => o.id === stackOrders[0].id)!;
    // One day out of about 2.5 of running.
    assert.ok(Math.abs(row.spend - full.spend / 2.5) < full.spend * 0.02, `${row.spend} vs ${full.spend}`);
    assert.equal(row.approximate, true);
    const before = emu.requests.length;
    const bad = await clore(emu, home, ["cost", "--since", "last tuesday"]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /--since/);
    assert.equal(emu.requests.length, before);
  });
});
