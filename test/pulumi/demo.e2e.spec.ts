import assert from "node:assert/strict";
import { REPO, run } from "./harness";

describe("the README demo (scripts/demo.sh)", function () {
  this.timeout(300_000);

  it("starts the emulator, runs pulumi up of the demo project, prints the ssh command and destroys it", async () => {
    const r = await run("bash", ["scripts/demo.sh"], { cwd: REPO, env: { ...process.env, CLORE_API_KEY: "" } });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /sshCommand\s+ssh root@127\.0\.0\.1 -p \d+/);
    assert.match(r.stdout, /demo: destroyed; the emulator has no active orders left\./);
  });
});
