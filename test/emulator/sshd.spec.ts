import { strict as assert } from "node:assert";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { Client, type SFTPWrapper } from "ssh2";
import type { Emulator } from "../../provider/emulator";
import { connectSsh } from "../../provider/ssh";
import {
  alive,
  cancel,
  firstBytes,
  opensshKeyPair,
  rentSshOrder,
  startSshEmulator,
  useSshEmulator,
} from "../helpers/ssh-orders";
import { call, probeTcp, sleep } from "./helpers";

const PASSWORD = "pw-emulated";

/** A raw ssh2 login (not our client), for what the emulator's sshd itself accepts. */
function rawLogin(port: number, password = PASSWORD): Promise<Client> {
  return new Promise((resolve, reject) => {
    const c = new Client();
    c.once("ready", () => resolve(c)).once("error", reject);
    c.connect({ host: "127.0.0.1", port, username: "root", password });
  });
}

function rawExec(c: Client, command: string, env?: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) =>
    c.exec(command, { env }, (e, ch) => {
      if (e) return reject(e);
      let out = "";
      ch.on("data", (d: Buffer) => (out += d)).on("close", () => resolve(out));
      ch.stderr.resume();
    }),
  );
}

const sftpOf = (c: Client) =>
  new Promise<SFTPWrapper>((resolve, reject) => c.sftp((e, s) => (e ? reject(e) : resolve(s))));
const sftpCall = <T>(fn: (cb: (e: Error | null | undefined, v?: T) => void) => void) =>
  new Promise<T>((resolve, reject) => fn((e, v) => (e ? reject(e) : resolve(v as T))));

describe("emulator: sshd on the port mapped from container port 22", () => {
  const suite = useSshEmulator();
  let emu: Emulator;
  beforeEach(() => (emu = suite.emu));

  describe("login", () => {
    it("logs root in with the order's sshPassword and refuses a wrong one, another user, and no credentials", async () => {
      const { target } = await rentSshOrder(emu);
      await (await connectSsh(target, { waitMs: 0 })).close();
      for (const bad of [
        { ...target, password: "wrong" },
        { ...target, user: "ubuntu" },
        { ...target, password: undefined },
      ]) {
        await assert.rejects(connectSsh(bad, { waitMs: 0 }), { code: "CLORE_SSH_AUTH_FAILED" });
      }
    });

    it("logs in with the key the order got as sshKey, and refuses other keys and any password", async () => {
      const mine = opensshKeyPair();
      const other = opensshKeyPair();
      const { target } = await rentSshOrder(emu, { ssh_key: mine.publicKey });
      await (await connectSsh({ ...target, privateKey: mine.privateKey }, { waitMs: 0 })).close();
      await assert.rejects(connectSsh({ ...target, privateKey: other.privateKey }, { waitMs: 0 }), {
        code: "CLORE_SSH_AUTH_FAILED",
      });
      await assert.rejects(connectSsh({ ...target, password: "anything" }, { waitMs: 0 }), {
        code: "CLORE_SSH_AUTH_FAILED",
      });
    });

    it("never shows the credentials in the emulator's order views or the control API", async () => {
      const key = opensshKeyPair();
      await rentSshOrder(emu, { ssh_password: PASSWORD, ssh_key: key.publicKey });
      const views =
        JSON.stringify(emu.allOrders()) +
        (await call(emu, "/_emulator/orders")).text +
        (await call(emu, "my_orders")).text;
      assert.ok(!views.includes(PASSWORD), "password shown");
      assert.ok(!views.includes(key.publicKey.split(" ")[1]!), "key shown");
    });
  });

  describe("exec", () => {
    it("runs the command with /bin/sh in the order's sandbox, with the order's env, HOME there and a usable PATH", async () => {
      const { order } = await rentSshOrder(emu, { ssh_password: PASSWORD, env: { JOB_ID: "j-42" } });
      const c = await rawLogin(order.tcpPorts[0]!.public);
      try {
        const out = await rawExec(c, 'echo "$JOB_ID|$HOME|$(pwd)|$0"; command -v ls >/dev/null && echo has-ls');
        assert.equal(out, `j-42|${order.sandboxDir}|${order.sandboxDir}|/bin/sh\nhas-ls\n`);
      } finally {
        c.end();
      }
    });

    it("takes only locale variables from env requests, as OpenSSH's default AcceptEnv does", async () => {
      const { port } = await rentSshOrder(emu);
      const c = await rawLogin(port);
      try {
        assert.equal(
          await rawExec(c, 'echo "[$SECRET_THING][$LANG]"', { SECRET_THING: "x", LANG: "C.UTF-8" }),
          "[][C.UTF-8]\n",
        );
      } finally {
        c.end();
      }
    });

    it("runs the order's command at boot in the background, with its output in .clore-command.log", async () => {
      const { order } = await rentSshOrder(emu, {
        ssh_password: PASSWORD,
        command: 'echo "started $JOB"; sleep 300',
        env: { JOB: "boot" },
      });
      for (let i = 0; i < 100 && !existsSync(`${order.sandboxDir}/.clore-command.log`); i++) await sleep(20);
      await sleep(100);
      assert.equal(readFileSync(`${order.sandboxDir}/.clore-command.log`, "utf8"), "started boot\n");
    });
  });

  describe("sftp", () => {
    it("serves the sandbox as /: relative paths start there and .. cannot climb out", async () => {
      const { order, port } = await rentSshOrder(emu);
      const c = await rawLogin(port);
      try {
        const sftp = await sftpOf(c);
        await sftpCall((cb) => sftp.writeFile("data.txt", "inside", cb));
        assert.equal(readFileSync(`${order.sandboxDir}/data.txt`, "utf8"), "inside");
        assert.equal(await sftpCall<string>((cb) => sftp.realpath("../../..", cb)), "/");
        assert.equal(String(await sftpCall<Buffer>((cb) => sftp.readFile("/../../data.txt", cb))), "inside");
        await assert.rejects(
          sftpCall((cb) => sftp.stat("../../../../etc/passwd", cb)),
          { code: 2 },
          "/etc/passwd seen from the sandbox",
        );
      } finally {
        c.end();
      }
    });

    it("refuses paths that leave the sandbox through a symlink, and refuses to make symlinks", async () => {
      const { port } = await rentSshOrder(emu);
      const c = await rawLogin(port);
      try {
        await rawExec(c, "ln -s /etc escape");
        const sftp = await sftpOf(c);
        await assert.rejects(
          sftpCall((cb) => sftp.readFile("escape/hostname", cb)),
          { code: 3 },
        );
        await assert.rejects(
          sftpCall((cb) => sftp.readdir("escape", cb)),
          { code: 3 },
        );
        await assert.rejects(
          sftpCall((cb) => sftp.symlink("/etc", "again", cb)),
          { code: 8 },
        );
      } finally {
        c.end();
      }
    });
  });

  describe("end of the order", () => {
    it("kills the order's processes (also ones that left their process group) and removes its sandbox on cancel", async () => {
      const { order, port } = await rentSshOrder(emu, {
        ssh_password: PASSWORD,
        command: "echo $$ > boot.pid; exec sleep 300",
      });
      const c = await rawLogin(port);
      const escaped = Number(await rawExec(c, "setsid sleep 301 >/dev/null 2>&1 & echo $!"));
      c.end();
      for (let i = 0; i < 100 && !existsSync(`${order.sandboxDir}/boot.pid`); i++) await sleep(20);
      const pids = [escaped, Number(readFileSync(`${order.sandboxDir}/boot.pid`, "utf8"))];
      assert.ok(pids.every(alive));
      await cancel(emu, order.id);
      await sleep(50);
      assert.deepEqual(pids.filter(alive), []);
      assert.equal(existsSync(order.sandboxDir!), false);
      assert.equal(emu.allOrders()[0]!.sandboxDir, undefined);
    });

    it("removes every sandbox when the emulator closes", async () => {
      const other = await startSshEmulator();
      const { order } = await rentSshOrder(other);
      const root = order.sandboxDir!.replace(/\/order-\d+$/, "");
      assert.deepEqual(readdirSync(root), [`order-${order.id}`]);
      await other.close();
      assert.equal(existsSync(root), false);
    });
  });

  describe("faults", () => {
    it("sshdStartDelayMs: the port accepts at once, but closes connections without a banner until sshd is up", async () => {
      emu.options.sshdStartDelayMs = 600_000; // 6 s real
      const { target, port } = await rentSshOrder(emu);
      assert.deepEqual(await firstBytes(port), { data: "", closed: true }, "a banner before sshd is up");
      await assert.rejects(connectSsh(target, { waitMs: 0 }), { code: "CLORE_SSH_CONNECT_TIMEOUT" });
      emu.advance(600_000);
      assert.match(await probeTcp(port), /^SSH-2\.0-CloreEmulator\r\n/);
      await (await connectSsh(target, { waitMs: 0 })).close();
    });

    it("ssh-drop cuts the connection delayMs after the next command starts; like OpenSSH, no signal: a command writing to it dies of SIGPIPE, a quiet one lives", async () => {
      const { target, order } = await rentSshOrder(emu);
      const box = order.sandboxDir!;
      emu.faults.inject({ kind: "ssh-drop", delayMs: 300 });
      const ssh = await connectSsh(target, { waitMs: 0 });
      const started = Date.now();
      await assert.rejects(ssh.run("echo $$ > talker; while :; do echo tick; sleep 0.05; done"), {
        code: "CLORE_SSH_CONNECTION_LOST",
      });
      assert.ok(Date.now() - started < 5000);
      assert.deepEqual(emu.faults.list(), []);
      emu.faults.inject({ kind: "ssh-drop", delayMs: 300 });
      const again = await connectSsh(target, { waitMs: 0 });
      await assert.rejects(again.run("echo $$ > quiet; sleep 30 >/dev/null"), { code: "CLORE_SSH_CONNECTION_LOST" });
      await sleep(300);
      assert.equal(alive(Number(readFileSync(`${box}/talker`, "utf8"))), false, "the writer got SIGPIPE");
      assert.equal(alive(Number(readFileSync(`${box}/quiet`, "utf8"))), true, "a quiet command got no signal");
    });

    it("cutSsh closes every SSH connection of the order at once; a detached command (setsid, no stdio on the channel) lives on", async () => {
      const { target, order } = await rentSshOrder(emu);
      const ssh = await connectSsh(target, { waitMs: 0 });
      await ssh.run("setsid sh -c 'echo $$ > detached; exec sleep 30' </dev/null >/dev/null 2>&1 &");
      const running = ssh.run("sleep 30");
      await sleep(200);
      assert.equal(emu.cutSsh(order.id), 1);
      await assert.rejects(running, { code: "CLORE_SSH_CONNECTION_LOST" });
      assert.equal(ssh.connected, false);
      assert.equal(alive(Number(readFileSync(`${order.sandboxDir}/detached`, "utf8"))), true);
      const back = await connectSsh(target, { waitMs: 0 });
      let out = "";
      await back.run("cat detached", { onStdout: (l) => (out = l) });
      assert.equal(alive(Number(out)), true);
      await back.close();
    });

    it("freezeSsh forwards nothing either way for ms without closing, then delivers what waited", async () => {
      const { target, order } = await rentSshOrder(emu);
      const ssh = await connectSsh(target, { waitMs: 0 });
      const lines: { line: string; at: number }[] = [];
      const t0 = Date.now();
      const done = ssh.run("for i in 1 2 3 4 5 6; do echo $i; sleep 0.2; done", {
        onStdout: (line) => lines.push({ line, at: Date.now() - t0 }),
      });
      await sleep(300);
      assert.equal(emu.freezeSsh(order.id, 1500), 1);
      const r = await done;
      assert.equal(r.exitCode, 0);
      assert.deepEqual(
        lines.map((l) => l.line),
        ["1", "2", "3", "4", "5", "6"],
      );
      const gaps = lines.slice(1).map((l, i) => l.at - lines[i]!.at);
      assert.ok(Math.max(...gaps) >= 1000, `no line for ≥ 1 s during the freeze: ${JSON.stringify(lines)}`);
      assert.ok(ssh.connected);
      await ssh.close();
    });

    it("ssh faults take no API request, and refuse an endpoint", async () => {
      emu.faults.inject({ kind: "ssh-drop" });
      assert.equal((await call(emu, "wallets")).status, 200);
      assert.equal(emu.faults.list().length, 1);
      assert.throws(() => emu.faults.inject({ kind: "ssh-drop", endpoint: "wallets" }), /SSH faults hit SSH commands/);
    });

    it("sshd: false keeps the plain listener: the banner, no login, no sandbox", async () => {
      emu.options.sshd = false;
      const { order, port } = await rentSshOrder(emu);
      assert.equal(await probeTcp(port), "SSH-2.0-CloreEmulator\r\n");
      assert.equal(order.sandboxDir, undefined);
    });
  });
});
