import { strict as assert } from "node:assert";
import type { EmulatorOrder } from "../../provider/emulator";
import { CliHarness } from "./helpers";

describe("clore deploy, ssh, spot-price and cancel", () => {
  const h = new CliHarness();
  before(() => h.start());
  after(() => h.stop());

  /** The emulator's view of the newest order (the one a deploy just made). */
  const newest = (): EmulatorOrder => h.emu.allOrders().at(-1)!;
  const createBodies = () => h.emu.requests.filter((r) => r.endpoint === "create_order").map((r) => r.body);

  /** Deploy on the cheapest free server; returns the run and the new order. */
  async function deploy(extra: string[], image = "cloreai/ubuntu22.04-cuda12") {
    const [serverId] = h.rentable("USD-Blockchain");
    assert.ok(serverId, "no free server left in the emulator");
    const count = h.emu.allOrders().length;
    const run = await h.run(["deploy", String(serverId), "--image", image, "--currency", "USD-Blockchain", ...extra]);
    assert.equal(h.emu.allOrders().length, count + 1, `deploy made no order: ${run.stderr}`);
    return { run, order: newest(), serverId };
  }

  describe("deploy", () => {
    it("sends every option, prints the order, waits for host and SSH port, and prints how to connect", async () => {
      const { run, order, serverId } = await deploy([
        "--port",
        "22:tcp",
        "--port",
        "8888:http",
        "--ssh-password",
        "pw-123456",
        "--env",
        "A=1",
        "--env",
        "B=x=y",
        "--command",
        "echo hi",
        "--jupyter-token",
        "tok",
      ]);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(createBodies().at(-1), {
        type: "on-demand",
        currency: "USD-Blockchain",
        image: "cloreai/ubuntu22.04-cuda12",
        renting_server: serverId,
        ports: { "22": "tcp", "8888": "http" },
        env: { A: "1", B: "x=y" },
        jupyter_token: "tok",
        ssh_password: "pw-123456",
        command: "echo hi",
      });
      const ssh = order.tcpPorts.find((p) => p.container === "22")!;
      assert.ok(ssh, "the emulator should have published port 22");
      assert.ok(run.stdout.startsWith(`Order ${order.id} is ready on server ${serverId}.\n`), run.stdout);
      assert.match(run.stdout, new RegExp(`^ {2}SSH +ssh root@127\\.0\\.0\\.1 -p ${ssh.public}$`, "m"));
      assert.match(run.stdout, new RegExp(`^ {2}HTTP +https://${order.httpPub.replace(/\./g, "\\.")}$`, "m"));
      assert.match(run.stdout, /^ {2}Price +\$\d+\.\d\d\/day$/m);
      assert.ok(
        run.stdout.endsWith(`\nConnect: ssh root@127.0.0.1 -p ${ssh.public}\nCancel: clore cancel ${order.id}\n`),
        run.stdout,
      );
      // Progress went to stderr as plain lines (no terminal here).
      assert.match(
        run.stderr,
        new RegExp(`^Order ${order.id} created on server ${serverId} \\(\\$\\d+\\.\\d\\d/day, \\w+\\)\\.$`, "m"),
      );
      assert.doesNotMatch(run.stderr, /\r|\x1b/);
    });

    it("--json --no-wait prints only the order as found, with no progress on stderr", async () => {
      const { run, order } = await deploy(["--no-wait", "--json"]);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stderr, "");
      const doc = JSON.parse(run.stdout);
      assert.equal(doc.id, order.id);
      assert.equal(doc.serverId, order.serverId);
      assert.equal(doc.image, "cloreai/ubuntu22.04-cuda12");
    });

    it("--json waits and prints the ready order, SSH endpoint included", async () => {
      const { run, order } = await deploy(["--port", "22:tcp", "--json"]);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stderr, "");
      const doc = JSON.parse(run.stdout);
      assert.equal(doc.id, order.id);
      assert.equal(doc.status, "running");
      assert.equal(doc.sshHost, "127.0.0.1");
      assert.equal(
        doc.sshPort,
        h.emu
          .allOrders()
          .find((o) => o.id === order.id)!
          .tcpPorts.find((p) => p.container === "22")!.public,
      );
    });

    it("exits 3 and keeps the order when the endpoints don't come up in --wait-timeout", async () => {
      const boot = h.emu.options.bootDelayMs;
      h.emu.options.bootDelayMs = 1e12;
      try {
        const { run, order, serverId } = await deploy(["--port", "22:tcp", "--wait-timeout", "1"]);
        assert.equal(run.code, 3, run.stderr);
        assert.ok(run.stdout.startsWith(`Order ${order.id} created on server ${serverId}.\n`), run.stdout);
        assert.match(run.stdout, /^ {2}SSH +not ready yet$/m);
        assert.ok(
          run.stderr.endsWith(
            `Error: order ${order.id} was created but did not get its endpoints within 1 second.\n` +
              `  order ${order.id} on server ${serverId}: provisioning\n` +
              `Check it later with "clore orders", or cancel it with "clore cancel ${order.id}".\n`,
          ),
          run.stderr,
        );
        assert.equal(
          h.emu.activeOrders().some((o) => o.id === order.id),
          true,
          "the order must not be cancelled",
        );
      } finally {
        h.emu.options.bootDelayMs = boot;
      }
    });

    it("a rented server is an API error: exit 1 with the API's reason and what to do", async () => {
      const rented = h.emu.activeOrders()[0];
      const r = await h.run([
        "deploy",
        String(rented.serverId),
        "--image",
        "x",
        "--currency",
        "USD-Blockchain",
        "--no-wait",
      ]);
      assert.equal(r.code, 1);
      assert.equal(r.stdout, "");
      assert.match(
        r.stderr,
        /^Error: create_order: Clore API code 6 "server-already-rented" \(HTTP 200\)\. .*`clore search`/m,
      );
      assert.doesNotMatch(r.stderr, /^\s+at /m);
    });
  });

  describe("ssh", () => {
    let withSsh: EmulatorOrder;
    let port: number;
    before(() => {
      withSsh = h.emu.activeOrders().find((o) => o.tcpPorts.some((p) => p.container === "22"))!;
      port = withSsh.tcpPorts.find((p) => p.container === "22")!.public;
    });

    it("prints `ssh root@HOST -p PORT` for the order's port 22", async () => {
      const r = await h.run(["ssh", String(withSsh.id)]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `ssh root@127.0.0.1 -p ${port}\n`);
    });

    it("--user and --json", async () => {
      const { run, doc } = await h.json(["ssh", String(withSsh.id), "--user", "ubuntu"]);
      assert.equal(run.code, 0);
      assert.deepEqual(doc, {
        orderId: withSsh.id,
        user: "ubuntu",
        host: "127.0.0.1",
        port,
        command: `ssh ubuntu@127.0.0.1 -p ${port}`,
      });
    });

    it("--exec logs in with its own SSH client and passes the command's output and exit code on (more in ssh-exec-cp.e2e.spec.ts)", async () => {
      const env = { PATH: "/nonexistent", ORDER_PW: "pw-123456" }; // no ssh binary to fall back on
      const r = await h.run(
        ["ssh", String(withSsh.id), "--exec", "--password-env", "ORDER_PW", "--", "echo hi; exit 7"],
        { env },
      );
      assert.equal(r.code, 7);
      assert.equal(r.stdout, "hi\n");
      assert.equal(
        r.stderr.trimEnd().split("\n").at(-1),
        `Error: the command on order ${withSsh.id} exited with code 7.`,
      );
    });

    it("explains an order without port 22, and an unknown order", async () => {
      const noSsh = h.emu.activeOrders().find((o) => o.online && !o.tcpPorts.some((p) => p.container === "22"))!;
      const r = await h.run(["ssh", String(noSsh.id)]);
      assert.equal(r.code, 1);
      assert.equal(
        r.stderr,
        `Error: order ${noSsh.id} has no SSH port: port 22 was not published.\nDeploy with --port 22:tcp to get SSH access.\n`,
      );
      const unknown = await h.run(["ssh", "999999"]);
      assert.equal(unknown.code, 1);
      assert.equal(
        unknown.stderr,
        "Error: order 999999 is not in any answer of the API right now (not listed by my_orders, and not listed by my_orders?return_completed=true).\n" +
          'If the id is right, try again in a minute; "clore orders --completed" lists your orders.\n',
      );
      // An order the API lists as ended says so (not "not found").
      h.emu.endOrder(noSsh.id);
      const ended = await h.run(["ssh", String(noSsh.id)]);
      assert.equal(ended.code, 1);
      assert.match(
        ended.stderr,
        new RegExp(`^Error: order ${noSsh.id} has ended \\(.+\\); see \`clore orders --completed\`\\.\\n$`),
      );
    });
  });

  describe("spot-price", () => {
    it("raises the bid of a spot order, and relays the API's rule when a cut is too big", async () => {
      const [serverId] = h.rentable("USD-Blockchain", "spot");
      const market = await h.client().spotMarketplace(serverId);
      const min = market.server!.min_pricing!["USD-Blockchain"]!;
      const [spot] = await h.rent(1, { type: "spot", spotPrice: min + 0.1 });
      assert.equal(spot.type, "spot");
      assert.equal(spot.serverId, serverId);

      const r = await h.run(["spot-price", String(spot.id), String(min + 0.5)]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `Set the bid of order ${spot.id} to ${min + 0.5} per day (in the order's currency).\n`);
      assert.equal(h.emu.allOrders().find((o) => o.id === spot.id)!.price, min + 0.5);

      const cut = await h.run(["spot-price", String(spot.id), String(min + 0.1)]);
      assert.equal(cut.code, 1);
      assert.equal(cut.stdout, "");
      assert.match(
        cut.stderr,
        /^Error: set_spot_price: Clore API code 6 "(exceeded_max_step|can_lower_every_600_seconds)" \(HTTP 200\)\. A spot bid can be lowered /,
      );
      assert.equal(cut.stderr.trimEnd().split("\n").length, 1);
    });
  });

  describe("cancel", () => {
    it("cancels an active order (with --issue), then says it is gone", async () => {
      const target = h.emu.activeOrders()[0];
      const r = await h.run(["cancel", String(target.id), "--issue", "GPU #1 not detected"]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(
        r.stdout,
        new RegExp(`^Cancelled order ${target.id} on server ${target.serverId} \\(spent \\$\\d+\\.\\d+\\)\\.\\n$`),
      );
      const ended = h.emu.allOrders().find((o) => o.id === target.id)!;
      assert.equal(ended.state, "cancelled");
      assert.equal(ended.issue, "GPU #1 not detected");

      // Cancelling again is not an error: the API lists the order as ended, so nothing is sent.
      const sent = h.acted("cancel_order");
      const again = await h.run(["cancel", String(target.id)]);
      assert.equal(again.code, 0, again.stderr);
      assert.equal(again.stdout, `Order ${target.id} has already ended; nothing to cancel.\n`);
      assert.equal(h.acted("cancel_order"), sent);
    });

    it("--json says what was cancelled", async () => {
      const target = h.emu.activeOrders()[0];
      const { run, doc } = await h.json(["cancel", String(target.id)]);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(Object.keys(doc), ["orderId", "cancelled", "serverId", "spend", "currency"]);
      assert.equal(doc.orderId, target.id);
      assert.equal(doc.cancelled, true);
      assert.equal(doc.serverId, target.serverId);
      assert.equal(doc.currency, target.currency);
      assert.equal(h.emu.allOrders().find((o) => o.id === target.id)!.state, "cancelled");
    });
  });
});
