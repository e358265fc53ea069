import { strict as assert } from "node:assert";
import * as net from "node:net";
import type { Emulator } from "../../provider/emulator";
import { FakeClock, isCloreError } from "../../provider/sdk";
import { type ConnectWait, TrustOnFirstUse, connectSsh, hostKeyFingerprint, pinnedHostKey } from "../../provider/ssh";
import { opensshKeyPair, rentSshOrder, startSshEmulator, useSshEmulator } from "../helpers/ssh-orders";

const PASSWORD = "pw-emulated";

describe("ssh: connectSsh", () => {
  const suite = useSshEmulator();
  let emu: Emulator;
  beforeEach(() => (emu = suite.emu));

  it("logs in with the order's password and reports the host key fingerprint as ssh-keygen prints it", async () => {
    const { target } = await rentSshOrder(emu);
    const ssh = await connectSsh(target, { waitMs: 0 });
    assert.match(ssh.hostKey, /^SHA256:[A-Za-z0-9+/]{43}$/);
    assert.deepEqual(ssh.endpoint, { host: "127.0.0.1", port: target.port, user: "root" });
    await ssh.close();
    assert.equal(ssh.connected, false);
  });

  it("logs in with a private key whose public half the order got as sshKey", async () => {
    const key = opensshKeyPair();
    const { target } = await rentSshOrder(emu, { ssh_key: key.publicKey });
    await using ssh = await connectSsh(
      { host: target.host, port: target.port, privateKey: key.privateKey },
      { waitMs: 0 },
    );
    assert.equal((await ssh.run("true")).exitCode, 0);
  });

  it("fails at once with an auth error that names what was offered and never the password", async () => {
    const { target } = await rentSshOrder(emu);
    const clock = new FakeClock();
    const e = await connectSsh({ ...target, password: "Wr0ng-Secret" }, { clock }).catch((x: unknown) => x);
    assert.ok(isCloreError(e));
    assert.deepEqual(
      { code: e.code, methods: (e as unknown as { methods: string[] }).methods },
      { code: "CLORE_SSH_AUTH_FAILED", methods: ["password"] },
    );
    assert.equal(
      e.message,
      `ssh root@127.0.0.1:${target.port}: the server refused the login (offered: password). Use the sshPassword or sshKey the order was created with: the Clore API never returns them, so take them from where you set them (stack config, a CI secret).`,
    );
    assert.ok(!JSON.stringify({ ...e, message: e.message, stack: e.stack }).includes("Wr0ng-Secret"));
    assert.deepEqual(clock.sleeps, [], "an auth failure is not retried");
  });

  it("retries a refused port until waitMs has passed, then says the connection was refused", async () => {
    const port = await freePort();
    const clock = new FakeClock();
    const waits: ConnectWait[] = [];
    const e = await connectSsh(
      { host: "127.0.0.1", port, password: PASSWORD },
      { waitMs: 10_000, clock, onWait: (w) => waits.push(w) },
    ).catch((x: unknown) => x);
    assert.equal((e as { code?: string }).code, "CLORE_SSH_CONNECTION_REFUSED");
    assert.match(
      (e as Error).message,
      /connection refused for \d+ s \(\d+ attempts\)\. Check that the order is still running \("clore orders"\) and publishes port 22/,
    );
    assert.deepEqual(clock.sleeps.slice(0, 5), [250, 500, 1000, 2000, 2000]);
    assert.ok(clock.sleeps.reduce((a, b) => a + b, 0) <= 10_000);
    assert.equal(waits[0]!.reason, "connection refused");
  });

  it("waits for an sshd that comes up after its port, reporting each wait", async () => {
    emu.options.sshdStartDelayMs = 100_000; // 1 s real
    const { target } = await rentSshOrder(emu);
    const waits: ConnectWait[] = [];
    const ssh = await connectSsh(target, { waitMs: 20_000, onWait: (w) => waits.push(w) });
    await ssh.close();
    assert.ok(waits.length >= 1);
    assert.equal(waits[0]!.reason, "connection closed before the SSH handshake");
  });

  it("gives up on an sshd that never comes up with a handshake timeout naming the last failure", async () => {
    emu.options.sshdStartDelayMs = 3_600_000;
    const { target } = await rentSshOrder(emu);
    await assert.rejects(connectSsh(target, { waitMs: 0 }), (e: Error & { code?: string; lastReason?: string }) => {
      assert.equal(e.code, "CLORE_SSH_CONNECT_TIMEOUT");
      assert.equal(e.lastReason, "connection closed before the SSH handshake");
      assert.match(e.message, /A fresh server's sshd can start well after its port opens/);
      return true;
    });
  });

  it("trusts a new host key on first use and refuses a different one later in the same job", async () => {
    const { target } = await rentSshOrder(emu);
    const trust = new TrustOnFirstUse();
    const first = await connectSsh(target, { waitMs: 0, hostKeys: trust });
    await first.close();
    assert.equal(trust.trusted("127.0.0.1", target.port), first.hostKey);
    const other = await startSshEmulator(); // another run: another host key, same address as far as the job knows
    try {
      const { target: t2 } = await rentSshOrder(other);
      trust.check("127.0.0.1", t2.port, first.hostKey); // the job met this address earlier, with the first key
      await assert.rejects(connectSsh(t2, { waitMs: 0, hostKeys: trust }), { code: "CLORE_SSH_HOST_KEY_MISMATCH" });
      await assert.rejects(connectSsh(target, { waitMs: 0, hostKeys: pinnedHostKey("SHA256:not-this-one") }), {
        code: "CLORE_SSH_HOST_KEY_MISMATCH",
      });
    } finally {
      await other.close();
    }
  });

  it("fingerprints a key blob as OpenSSH does (SHA256, unpadded base64)", () => {
    assert.equal(hostKeyFingerprint(Buffer.from("abc")), "SHA256:ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0");
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}
