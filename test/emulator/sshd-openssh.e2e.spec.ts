import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Emulator } from "../../provider/emulator";
import { runChild } from "../helpers/child";
import { OPENSSH_OPTIONS } from "../helpers/openssh";
import { opensshKeyPair, rentSshOrder, startSshEmulator } from "../helpers/ssh-orders";

/**
 * OpenSSH's own ssh, scp and sftp against the emulator's sshd, with key auth: proof that the
 * server side speaks real SSH and SFTP, not only to our ssh2 client.
 */
describe("emulator: sshd with OpenSSH clients", () => {
  let emu: Emulator;
  let key: ReturnType<typeof opensshKeyPair>;
  let port: number;
  let sandbox: string;
  let local: string;

  before(async function () {
    if (spawnSync("ssh", ["-V"]).error) this.skip(); // no OpenSSH client on this machine
    emu = await startSshEmulator();
    key = opensshKeyPair();
    const rented = await rentSshOrder(emu, { ssh_key: key.publicKey, env: { JOB_ID: "openssh-1" } });
    port = rented.port;
    sandbox = rented.order.sandboxDir!;
    local = mkdtempSync(join(tmpdir(), "clore-openssh-"));
  });
  after(async () => {
    await emu?.close();
    for (const d of [key?.dir, local]) if (d) rmSync(d, { recursive: true, force: true });
  });

  const common = () => [...OPENSSH_OPTIONS, "-i", key.privatePath];
  const run = (cmd: string, args: string[], input = "") => runChild(cmd, args, { input, timeoutMs: 30_000 });

  it("ssh runs a command with the order's env and hands back its output and exit code", async () => {
    const r = await run("ssh", [
      ...common(),
      "-p",
      String(port),
      "root@127.0.0.1",
      'echo "job $JOB_ID in $(pwd)"; echo oops >&2; exit 5',
    ]);
    assert.deepEqual(r, { code: 5, stdout: `job openssh-1 in ${sandbox}\n`, stderr: "oops\n" });
  });

  it("ssh is refused with a key the order was not given", async () => {
    const other = opensshKeyPair();
    const r = await run("ssh", [
      ...OPENSSH_OPTIONS,
      "-i",
      other.privatePath,
      "-o",
      "IdentitiesOnly=yes",
      "-p",
      String(port),
      "root@127.0.0.1",
      "true",
    ]);
    assert.equal(r.code, 255);
    assert.match(
      r.stderr,
      /Permission denied \(password,keyboard-interactive,publickey\)|Permission denied \(publickey\)/,
    );
    rmSync(other.dir, { recursive: true, force: true });
  });

  it("scp copies a file and a directory tree up and back byte for byte (SFTP protocol)", async () => {
    const tree = join(local, "tree");
    mkdirSync(join(tree, "nested"), { recursive: true });
    const blob = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 256));
    writeFileSync(join(tree, "nested", "blob.bin"), blob);
    writeFileSync(join(tree, "notes.txt"), "hello\n");
    const target = `root@127.0.0.1:`;
    const up = await run("scp", [...common(), "-P", String(port), "-r", tree, `${target}up`]);
    assert.equal(up.code, 0, up.stderr);
    assert.deepEqual(readFileSync(join(sandbox, "up", "nested", "blob.bin")), blob);
    const back = join(local, "back");
    assert.equal((await run("scp", [...common(), "-P", String(port), "-r", `${target}up`, back])).code, 0);
    assert.deepEqual(readFileSync(join(back, "nested", "blob.bin")), blob);
    assert.equal(readFileSync(join(back, "notes.txt"), "utf8"), "hello\n");
  });

  it("scp overwrites a large file intact: replies come in request order, as scp relies on", async function () {
    this.timeout(60_000);
    // scp truncates the copy at the last write acknowledged in order; out-of-order replies cut it short.
    const big = join(local, "big.bin");
    writeFileSync(big, Buffer.from(Array.from({ length: 24 << 20 }, (_, i) => (i * 2654435761) >>> 24)));
    for (let i = 0; i < 2; i++) {
      const r = await run("scp", [...common(), "-P", String(port), big, "root@127.0.0.1:big.bin"]);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(readFileSync(join(sandbox, "big.bin")).equals(readFileSync(big)), `copy ${i + 1} differs`);
    }
  });

  it("sftp lists, renames and removes in the sandbox, and cannot see above it", async () => {
    for (const leftover of ["up", "big.bin"]) rmSync(join(sandbox, leftover), { recursive: true, force: true });
    writeFileSync(join(sandbox, "model.bin"), "weights");
    const script = ["pwd", "ls -1 /", "rename model.bin final.bin", "ls -1 ../../..", "rm final.bin", "ls -1"].join(
      "\n",
    );
    const r = await run("sftp", [...common(), "-P", String(port), "-b", "-", "root@127.0.0.1"], script);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      [
        "sftp> pwd",
        "Remote working directory: /",
        "sftp> ls -1 /",
        "/model.bin",
        "sftp> rename model.bin final.bin",
        "sftp> ls -1 ../../..",
        "../../../final.bin",
        "sftp> rm final.bin",
        "sftp> ls -1",
        "",
      ].join("\n"),
    );
  });
});
