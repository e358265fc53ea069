import { strict as assert } from "node:assert";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import type { Emulator } from "../../provider/emulator";
import { type SshSession, connectSsh } from "../../provider/ssh";
import { rentSshOrder, startSshEmulator } from "../helpers/ssh-orders";

/** path → content of every file under dir, for whole-tree comparisons. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[relative(dir, p)] = readFileSync(p).toString("base64");
    }
  };
  walk(dir);
  return out;
}

describe("ssh: upload and download (SFTP)", () => {
  let emu: Emulator;
  let ssh: SshSession;
  let sandbox: string;
  let local: string;
  before(async () => {
    emu = await startSshEmulator();
    const rented = await rentSshOrder(emu);
    sandbox = rented.order.sandboxDir!;
    ssh = await connectSsh(rented.target, { waitMs: 0 });
    local = mkdtempSync(join(tmpdir(), "clore-transfer-"));
  });
  after(async () => {
    await ssh?.close();
    await emu.close();
    rmSync(local, { recursive: true, force: true });
  });

  it("uploads a directory tree to the given path, byte for byte, creating missing parents and keeping modes", async () => {
    const src = join(local, "train");
    mkdirSync(join(src, "data", "empty"), { recursive: true });
    writeFileSync(join(src, "train.sh"), "#!/bin/sh\necho training\n");
    chmodSync(join(src, "train.sh"), 0o755);
    writeFileSync(
      join(src, "data", "weights.bin"),
      Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 31) % 251)),
    );
    const r = await ssh.upload(src, "jobs/42");
    assert.deepEqual({ files: r.files, bytes: r.bytes }, { files: 2, bytes: 24 + 200_000 });
    assert.deepEqual(tree(join(sandbox, "jobs/42")), tree(src));
    assert.equal(statSync(join(sandbox, "jobs/42/data/empty")).isDirectory(), true);
    assert.equal(statSync(join(sandbox, "jobs/42/train.sh")).mode & 0o777, 0o755);
    assert.equal((await ssh.run("jobs/42/train.sh")).exitCode, 0, "the uploaded script runs");
  });

  it("downloads a file and a directory tree byte for byte", async () => {
    mkdirSync(join(sandbox, "out", "logs"), { recursive: true });
    const model = Buffer.from(Array.from({ length: 1_500_000 }, (_, i) => (i * 7) % 256));
    writeFileSync(join(sandbox, "out", "model.bin"), model);
    writeFileSync(join(sandbox, "out", "logs", "metrics.json"), '{"loss":0.1}');
    const file = await ssh.download("out/model.bin", join(local, "artifacts", "model.bin"));
    assert.deepEqual({ files: file.files, bytes: file.bytes }, { files: 1, bytes: model.length });
    assert.deepEqual(readFileSync(join(local, "artifacts", "model.bin")), model);
    await ssh.download("out", join(local, "all"));
    assert.deepEqual(tree(join(local, "all")), tree(join(sandbox, "out")));
  });

  it("says which path is missing, on either side", async () => {
    await assert.rejects(ssh.download("no/such/file", join(local, "x")), (e: Error & Record<string, unknown>) => {
      assert.equal(e.code, "CLORE_SSH_TRANSFER_FAILED");
      assert.match(e.message, /: download remote no\/such\/file → .*\/x failed: no such file or directory\.$/);
      return true;
    });
    await assert.rejects(ssh.upload(join(local, "nothing-here"), "x"), { code: "CLORE_SSH_TRANSFER_FAILED" });
  });

  it("reports a lost connection during a transfer as such", async () => {
    const rented = await rentSshOrder(emu);
    const other = await connectSsh(rented.target, { waitMs: 0 });
    writeFileSync(join(local, "big.bin"), Buffer.alloc(30_000_000, 1));
    const upload = other.upload(join(local, "big.bin"), "big.bin");
    setTimeout(() => emu.endOrder(rented.order.id), 100);
    await assert.rejects(upload, (e: Error & Record<string, unknown>) => {
      assert.equal(e.code, "CLORE_SSH_CONNECTION_LOST");
      assert.equal(e.during, `upload ${join(local, "big.bin")}`);
      assert.match(e.message, /The copy is incomplete: copy it again once connected\.$/);
      return true;
    });
  });
});
