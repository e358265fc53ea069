import { strict as assert } from "node:assert";
import { utils } from "ssh2";
import { newHostKey } from "../../provider/emulator/host-key";

describe("emulator: the sshd host key", () => {
  it("is always a key ssh2 can load (ssh2's own ed25519 keygen makes a malformed one 1 time in 256)", () => {
    // 2000 keys: without the check, at least one is malformed with probability 1 - (255/256)^2000 > 99.9 %.
    for (let i = 0; i < 2000; i++) {
      const parsed = utils.parseKey(newHostKey());
      assert.ok(!(parsed instanceof Error), `key ${i}: ${parsed instanceof Error ? parsed.message : ""}`);
    }
  });

  it("throws a malformed key away and makes another", () => {
    const good = utils.generateKeyPairSync("ecdsa", { bits: 256 }).private;
    const keys = ["-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n", good];
    let made = 0;
    assert.equal(
      newHostKey(() => keys[made++]),
      good,
    );
    assert.equal(made, 2);
  });

  it("gives up with an error instead of looping when no key parses", () => {
    assert.throws(() => newHostKey(() => "not a key"), /could not make an ssh host key/);
  });
});
