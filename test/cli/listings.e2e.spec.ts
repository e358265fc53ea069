import { strict as assert } from "node:assert";
import type { MarketplaceServer } from "../../provider/sdk";
import { CliHarness, asJson, tableHeader, tableRows } from "./helpers";

const byPrice = (a: MarketplaceServer, b: MarketplaceServer) =>
  (a.priceUsdPerHour ?? Infinity) - (b.priceUsdPerHour ?? Infinity) || a.id - b.id;

describe("clore listings (search, wallets, servers, server-config, spot, orders)", () => {
  const h = new CliHarness();
  before(() => h.start());
  after(() => h.stop());

  describe("search", () => {
    it("prints available servers cheapest first as a table with units and a count line", async () => {
      const servers = (await h.client().marketplace()).sort(byPrice);
      const r = await h.run(["search"]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, "");
      assert.deepEqual(tableHeader(r.stdout), [
        "ID",
        "GPU",
        "VRAM",
        "RAM",
        "CPU",
        "PRICE/H",
        "PRICE/DAY",
        "SPOT/DAY",
        "RELIABILITY",
        "LOCATION",
      ]);
      const rows = tableRows(r.stdout);
      assert.deepEqual(
        rows.map((row) => Number(row[0])),
        servers.map((s) => s.id),
      );
      for (const row of rows) {
        assert.match(row[1], / ×\d+$/, `GPU cell ${row[1]}`);
        assert.match(row[3], /^\d+(\.\d)? GB$/);
        assert.match(row[5], /^\$\d+\.\d+\/h$/);
        assert.match(row[6], /^\$\d+\.\d\d\/day$/);
        assert.match(row[8], /^\d+(\.\d+)?%$/);
      }
      const cheapest = servers[0];
      assert.equal(rows[0][6], `$${cheapest.priceUsdPerDay!.toFixed(2)}/day`);
      assert.ok(
        r.stdout.includes(`\nShowing ${servers.length} of ${servers.length} available servers, sorted by price.\n`),
        r.stdout,
      );
    });

    it("--json prints exactly the SDK's servers, sorted and limited like the table", async () => {
      const expected = (await h.client().marketplace()).sort(byPrice).slice(0, 3);
      const { run, doc } = await h.json(["search", "--limit", "3"]);
      assert.equal(run.code, 0);
      assert.equal(run.stderr, "");
      assert.deepEqual(doc, asJson(expected));
    });

    it("applies the official Python SDK's filters (--gpu, --min-gpu, --min-ram, --max-price in USD/hour) and --all", async () => {
      const all = await h.client().marketplace({ availableOnly: false });
      const want = all.filter((s) => /rtx 3090/i.test(s.gpuModel ?? "")).sort(byPrice);
      assert.ok(
        want.some((s) => !s.available),
        "the seed should have a rented RTX 3090 server",
      );
      const { doc } = await h.json(["search", "--gpu", "rtx 3090", "--all"]);
      assert.deepEqual(doc, asJson(want));

      const cheap = await h.json(["search", "--max-price", "0.1", "--min-ram", "8"]);
      assert.deepEqual(
        cheap.doc.map((s: MarketplaceServer) => s.id),
        all
          .filter((s) => s.available && s.priceUsdPerHour! <= 0.1 && (s.ramGb ?? 0) >= 8)
          .sort(byPrice)
          .map((s) => s.id),
      );

      const multi = await h.json(["search", "--min-gpu", "2"]);
      assert.ok(multi.doc.length > 0);
      for (const s of multi.doc) assert.ok(s.gpuCount >= 2);
    });

    it("--sort gpu --limit 2 shows the biggest first and says how to see the rest", async () => {
      const total = (await h.client().marketplace()).length;
      const r = await h.run(["search", "--sort", "gpu", "--limit", "2"]);
      assert.equal(r.code, 0);
      const rows = tableRows(r.stdout);
      assert.equal(rows.length, 2);
      assert.ok(
        r.stdout.includes(`Showing 2 of ${total} available servers, sorted by gpu. Use --limit ${total} to see all.`),
        r.stdout,
      );
      const { doc } = await h.json(["search", "--sort", "gpu"]);
      for (let i = 1; i < doc.length; i++) assert.ok(doc[i - 1].gpuCount >= doc[i].gpuCount);
    });

    it("says so when nothing matches (and --json prints [])", async () => {
      const r = await h.run(["search", "--gpu", "no such gpu"]);
      assert.equal(r.code, 0);
      assert.equal(r.stdout, "No available servers match these filters. Try --all or fewer filters.\n");
      const { doc } = await h.json(["search", "--gpu", "no such gpu"]);
      assert.deepEqual(doc, []);
    });
  });

  describe("account and hosting", () => {
    it("wallets: a table with currency units, and the SDK's wallets as JSON", async () => {
      const wallets = await h.client().wallets();
      const r = await h.run(["wallets"]);
      assert.equal(r.code, 0);
      assert.deepEqual(tableHeader(r.stdout), ["CURRENCY", "BALANCE", "WITHDRAWAL FEE", "DEPOSIT ADDRESS"]);
      const usdWallet = wallets.find((w) => w.name === "USD-Blockchain")!;
      const usdRow = tableRows(r.stdout).find((row) => row[0] === "USD-Blockchain (USD)")!;
      assert.deepEqual(usdRow, [
        "USD-Blockchain (USD)",
        `$${usdWallet.balance!.toFixed(2)}`,
        `$${usdWallet.withdrawal_fee!.toFixed(2)}`,
        usdWallet.deposit,
      ]);
      assert.match(r.stdout, /^bitcoin \(BTC\) +[\d.]+ BTC +[\d.]+ BTC /m);
      assert.ok(r.stdout.endsWith(`\n${wallets.length} wallets.\n`));
      const { doc } = await h.json(["wallets"]);
      assert.deepEqual(doc, asJson(wallets));
    });

    it("servers: status and prices per day, and the SDK's servers as JSON", async () => {
      const servers = await h.client().myServers();
      const r = await h.run(["servers"]);
      assert.equal(r.code, 0);
      assert.deepEqual(tableHeader(r.stdout), [
        "NAME",
        "STATUS",
        "GPU",
        "RAM",
        "VISIBILITY",
        "ON-DEMAND",
        "SPOT MINIMUM",
      ]);
      const first = servers[0];
      assert.match(r.stdout, new RegExp(`^${first.name} +${first.status} `, "m"));
      assert.match(r.stdout, /\/day/);
      const { doc } = await h.json(["servers"]);
      assert.deepEqual(doc, asJson(servers));
    });

    it("server-config NAME: a record, and the SDK's config as JSON", async () => {
      const [first] = await h.client().myServers();
      const config = await h.client().serverConfig(first.name);
      const r = await h.run(["server-config", first.name]);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(r.stdout.startsWith(`Server ${first.name}${config.id ? ` (id ${config.id})` : ""}\n`), r.stdout);
      assert.match(r.stdout, /^ {2}Max rental +\d+ h$/m);
      assert.match(r.stdout, /^ {2}On-demand +.*\/day/m);
      const { doc } = await h.json(["server-config", first.name]);
      assert.deepEqual(doc, asJson(config));
    });

    it("server-config of a server you don't host: exit 1, one line and a next step", async () => {
      const r = await h.run(["server-config", "no-such-rig"]);
      assert.equal(r.code, 1);
      assert.equal(r.stdout, "");
      const lines = r.stderr.trimEnd().split("\n");
      assert.equal(lines.length, 2, r.stderr);
      assert.match(lines[0], /^Error: server_config: Clore API code 6 "server_not_found"/);
      assert.equal(lines[1], 'Run "clore servers" to list the servers you host.');
    });

    it("spot SERVER_ID: minimum bids, offers with USD estimates, and the SDK's market as JSON", async () => {
      const servers = await h.client().marketplace({ availableOnly: false });
      let withSpot: number | undefined;
      for (const s of servers) {
        const m = await h.client().spotMarketplace(s.id);
        if (m.offers.length) {
          withSpot = s.id;
          break;
        }
      }
      assert.ok(withSpot, "the seed should have a server with spot offers");
      const market = await h.client().spotMarketplace(withSpot!);
      const r = await h.run(["spot", String(withSpot)]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`^Server +${withSpot}\\nMinimum bid +.*\\/day`));
      const tableStart = r.stdout.split("\n").findIndex((l) => l.trim().startsWith("ORDER"));
      assert.deepEqual(tableHeader(r.stdout.split("\n").slice(tableStart).join("\n")), [
        "ORDER",
        "BID",
        "≈USD",
        "ACTIVE",
        "MINE",
      ]);
      const rows = tableRows(r.stdout, tableStart);
      assert.equal(rows.length, market.offers.length);
      assert.ok(
        r.stdout.endsWith(
          `\n${market.offers.length} spot offers; ${market.offers.filter((o) => o.active).length} active.\n`,
        ),
        r.stdout,
      );
      const { doc } = await h.json(["spot", String(withSpot)]);
      assert.deepEqual(doc, asJson(market));
    });
  });

  describe("orders", () => {
    it('says "No orders found." when there are none (and --json prints [])', async () => {
      const r = await h.run(["orders"]);
      assert.equal(r.code, 0);
      assert.equal(r.stdout, "No orders found.\n");
      assert.deepEqual((await h.json(["orders"])).doc, []);
    });

    it("lists active orders newest first; --json is exactly the SDK's orders", async () => {
      const client = h.client();
      const [first] = await h.rent(1, { ports: { "22": "tcp" } });
      const [second] = await h.rent(1, {
        image: "nvidia/cuda:12.4.1-runtime-ubuntu22.04",
        currency: "CLORE-Blockchain",
      });

      const r = await h.run(["orders"]);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(tableHeader(r.stdout), [
        "ID",
        "SERVER",
        "TYPE",
        "STATUS",
        "GPU",
        "IMAGE",
        "AGE",
        "PRICE",
        "SPENT",
        "SSH",
      ]);
      const rows = tableRows(r.stdout);
      assert.deepEqual(
        rows.map((row) => Number(row[0])),
        [second.id, first.id],
      );
      assert.match(rows[0][7], /^\d+(\.\d+)? CLORE\/day/);
      assert.match(rows[1][7], /^\$\d+\.\d\d\/day$/);
      assert.ok(r.stdout.endsWith("\n2 active orders.\n"));

      await h.frozen(async () => {
        const expected = (await client.myOrders()).sort((x, y) => (y.ct ?? 0) - (x.ct ?? 0) || y.id - x.id);
        const { doc } = await h.json(["orders"]);
        assert.deepEqual(doc, asJson(expected));
      });

      await client.cancelOrder(second.id);
      const done = await h.run(["orders", "--completed"]);
      assert.equal(done.code, 0);
      const statuses = Object.fromEntries(tableRows(done.stdout).map((row) => [Number(row[0]), row[3]]));
      assert.equal(statuses[second.id], "expired");
      assert.notEqual(statuses[first.id], "expired");
      assert.ok(done.stdout.endsWith("\n2 orders (1 active).\n"), done.stdout);
    });

    it("an empty answer while orders are active is not taken as none: it asks the completed list and says so", async () => {
      const active = (await h.client().myOrders()).filter((o) => !o.expired);
      assert.ok(active.length, "the test above leaves an active order");
      h.emu.faults.inject({ kind: "orders-empty", returnCompleted: false, times: 1 });
      const r = await h.run(["orders"]);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(
        tableRows(r.stdout).map((row) => Number(row[0])),
        active.map((o) => o.id),
      );
      assert.match(
        r.stderr,
        /my_orders answered an empty list, but my_orders\?return_completed=true lists 1 active order/,
      );
    });
  });
});
