import { strict as assert } from "node:assert";
import { join } from "node:path";
import type { Emulator } from "../../provider/emulator";
import { parseCheckpointOptions, runJob } from "../../provider/job";
import { TrustOnFirstUse, connectSsh } from "../../provider/ssh";
import { rentSshOrder, startSshEmulator } from "../helpers/ssh-orders";
import { checkpointCases } from "./checkpoint-cases";

checkpointCases("emulator sshd", async () => {
  const emu: Emulator = await startSshEmulator();
  const { order, target } = await rentSshOrder(emu);
  const hostKeys = new TrustOnFirstUse();
  return {
    connect: () => connectSsh(target, { waitMs: 10_000, hostKeys }),
    dir: (name) => ({ remote: name, here: join(order.sandboxDir!, name) }),
    cut: () => void emu.cutSsh(order.id),
    close: () => emu.close(),
  };
});

describe("job checkpoints: the option", () => {
  const cases: [string, unknown, string][] = [
    ["no remoteDir", { localDir: "c" }, "checkpoint.remoteDir: "],
    ["an empty remoteDir", { remoteDir: "", localDir: "c" }, "checkpoint.remoteDir: must not be empty"],
    ["a ~ path", { remoteDir: "~/ckpt", localDir: "c" }, "checkpoint.remoteDir: is already under the login directory"],
    ["an empty localDir", { remoteDir: "ckpt", localDir: "" }, "checkpoint.localDir: must not be empty"],
    ["an interval under 1 s", { remoteDir: "ckpt", localDir: "c", intervalMs: 10 }, "checkpoint.intervalMs: "],
    ["a typo", { remoteDir: "ckpt", localDir: "c", interval: 5 }, "checkpoint.interval: is not a known field"],
  ];
  for (const [what, value, phrase] of cases) {
    it(`rejects ${what} before anything is rented`, async () => {
      const e = await runJob({
        workDir: "/nonexistent-project",
        stackName: "never",
        commands: ["true"],
        checkpoint: value as never,
      }).catch((x: unknown) => x);
      assert.equal((e as { code?: string }).code, "CLORE_VALIDATION_FAILED");
      assert.ok((e as Error).message.includes(phrase), (e as Error).message);
    });
  }

  it("defaults the interval to 60 s", () => {
    assert.equal(parseCheckpointOptions({ remoteDir: "ckpt", localDir: "c" }).intervalMs, 60_000);
  });
});
