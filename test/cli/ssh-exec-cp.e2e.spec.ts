import { strict as assert } from "node:assert";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Emulator } from "../../provider/emulator";
import { opensshKeyPair, rentSshOrder, startSshEmulator } from "../helpers/ssh-orders";
import { type CliRun, clore, ensureBuilt } from "./helpers";

const PASSWORD = "pw-for-the-cli";

/** `clore ssh --exec` and `clore cp` against the emulator's sshd, with no ssh binary on PATH. */
describe("clore ssh --exec and clore cp", () => {
  let emu: Emulator;
  let home: string;
  let orderId: number;
  let sandbox: string;

  before(async () => {
    await ensureBuilt();
    emu = await startSshEmulator();
    home = mkdtempSync(join(tmpdir(), "clore-cli-ssh-"));
    const rented = await rentSshOrder(emu, { ssh_password: PASSWORD });
    orderId = rented.order.id;
    sandbox = rented.order.sandboxDir!;
  });
  after(async () => {
    await emu?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  const run = (args: string[], env: Record<string, string> = {}, input?: string): Promise<CliRun> =>
    clore(args, {
      input,
      env: {
        PATH: "/nonexistent",
        HOME: home,
        CLORE_API_KEY: emu.apiKey,
        CLORE_BASE_URL: emu.url,
        CLORE_RATE_LIMIT_SHARED: "0",
        ORDER_PW: PASSWORD,
        ...env,
      },
    });
  const login = ["--password-env", "ORDER_PW"];

  describe("ssh --exec", () => {
    it("runs the command after --, passing stdout, stderr and stdin through byte for byte", async () => {
      const r = await run(
        ["ssh", String(orderId), "--exec", ...login, "--", 'cat; echo "to stderr" >&2'],
        {},
        "piped input\n",
      );
      assert.deepEqual(r, {
        code: 0,
        stdout: "piped input\n",
        stderr: `Connecting to root@127.0.0.1:${emu.activeOrders()[0]!.tcpPorts[0]!.public} …\nto stderr\n`,
      });
    });

    it("without a command runs a login shell reading stdin", async () => {
      const r = await run(["ssh", String(orderId), "--exec", ...login], {}, "echo from-the-shell\nexit 4\n");
      assert.equal(r.code, 4);
      assert.match(r.stdout, /from-the-shell\n/);
      // An interactive sh writes its prompts ("# ") to stderr too.
      assert.ok(r.stderr.endsWith(`Error: the shell on order ${orderId} exited with code 4.\n`), r.stderr);
    });

    it("logs in with --identity, the key the order was deployed with", async () => {
      const key = opensshKeyPair();
      try {
        const keyed = await rentSshOrder(emu, { ssh_key: key.publicKey });
        const r = await run(["ssh", String(keyed.order.id), "--exec", "-i", key.privatePath, "--", "echo keyed"]);
        assert.deepEqual([r.code, r.stdout], [0, "keyed\n"], r.stderr);
      } finally {
        rmSync(key.dir, { recursive: true, force: true });
      }
    });

    it("says where a password comes from when none is given, and never prints one", async () => {
      const none = await run(["ssh", String(orderId), "--exec", "--", "true"]);
      assert.deepEqual(none, {
        code: 1,
        stdout: "",
        stderr:
          "Error: no SSH credentials: the Clore API never returns an order's password.\nPass --password-env VAR (a variable holding the password you deployed with) or --identity FILE (the key matching --ssh-key).\n",
      });
      const unset = await run(["ssh", String(orderId), "--exec", "--password-env", "NOT_SET", "--", "true"]);
      assert.equal(
        unset.stderr,
        "Error: --password-env NOT_SET: that variable is not set or empty.\nexport NOT_SET=<the order's ssh password>, then run the command again.\n",
      );
      const wrong = await run(["ssh", String(orderId), "--exec", ...login, "--", "true"], { ORDER_PW: "Wrong-Pass-1" });
      assert.equal(wrong.code, 1);
      assert.match(
        wrong.stderr,
        /Error: ssh root@127\.0\.0\.1:\d+: the server refused the login \(offered: password\)\./,
      );
      assert.ok(!(wrong.stdout + wrong.stderr).includes("Wrong-Pass-1"));
    });
  });

  describe("cp", () => {
    it("uploads a directory tree to ORDER:PATH and downloads it back byte for byte", async () => {
      const src = join(home, "train");
      mkdirSync(join(src, "data"), { recursive: true });
      const blob = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 13) % 256));
      writeFileSync(join(src, "data", "blob.bin"), blob);
      writeFileSync(join(src, "train.py"), "print('hi')\n");
      const up = await run(["cp", src, `${orderId}:job`, ...login]);
      assert.equal(up.code, 0, up.stderr);
      assert.match(
        up.stdout,
        new RegExp(`^Uploaded 2 file\\(s\\), 0\\.1 MB to order ${orderId}:job in \\d+\\.\\d s\\.\\n$`),
      );
      assert.deepEqual(readFileSync(join(sandbox, "job", "data", "blob.bin")), blob);

      const down = await run(["cp", `${orderId}:job`, join(home, "back"), ...login, "--json"]);
      assert.equal(down.code, 0, down.stderr);
      const doc = JSON.parse(down.stdout);
      assert.deepEqual(
        { ...doc, durationMs: 0 },
        {
          orderId,
          direction: "download",
          source: `${orderId}:job`,
          destination: join(home, "back"),
          files: 2,
          bytes: blob.length + 12,
          durationMs: 0,
        },
      );
      assert.deepEqual(readFileSync(join(home, "back", "data", "blob.bin")), blob);
    });

    it("needs exactly one side on a server", async () => {
      const local = await run(["cp", "a", "b", ...login]);
      assert.deepEqual(
        [local.code, local.stderr.split("\n")[0]],
        [1, "Error: both paths are local; one side must be ORDER_ID:PATH."],
      );
      const remote = await run(["cp", `${orderId}:a`, `${orderId}:b`, ...login]);
      assert.deepEqual(
        [remote.code, remote.stderr.split("\n")[0]],
        [1, "Error: both paths are on a server; one side must be local."],
      );
    });

    it("names the missing remote path", async () => {
      const r = await run(["cp", `${orderId}:no/such/dir`, join(home, "x"), ...login]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /: download remote no\/such\/dir → .*\/x failed: no such file or directory\.\n$/);
    });
  });
});
