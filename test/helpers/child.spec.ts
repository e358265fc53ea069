import { strict as assert } from "node:assert";
import { runChild } from "./child";

describe("test helper: runChild", () => {
  it("hands back the exit code of a child that exits without reading its input (no EPIPE error)", async () => {
    // 4 MB does not fit in the pipe, so the write is still going when `exit 3` closes it.
    for (let i = 0; i < 5; i++) {
      const r = await runChild("sh", ["-c", "exit 3"], { input: "x".repeat(4 << 20) });
      assert.equal(r.code, 3);
    }
  });

  it("passes input, output and the exit code through", async () => {
    const r = await runChild("sh", ["-c", "cat; echo err >&2; exit 2"], { input: "in\n" });
    assert.deepEqual(r, { code: 2, stdout: "in\n", stderr: "err\n" });
  });

  it("kills a child that outlives timeoutMs", async () => {
    const r = await runChild("sleep", ["30"], { timeoutMs: 100 });
    assert.equal(r.code, null);
  });
});
