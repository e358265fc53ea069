import { strict as assert } from "node:assert";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { FIXTURES_DIR, listFixtures } from "../helpers/fixtures";

// The fixtures are vendored (test/fixtures/clore-api) so a clone tests on its own. Where the
// team's shared/ folder sits beside the clone, the copy must not have drifted from it.
const SHARED = resolve(__dirname, "../../../shared/clore-api/fixtures");

describe("vendored API fixtures", () => {
  it("match shared/clore-api/fixtures beside the clone, file for file", function () {
    if (!existsSync(SHARED)) this.skip();
    assert.deepEqual(listFixtures(FIXTURES_DIR), listFixtures(SHARED), "the same files");
    for (const name of listFixtures(SHARED)) {
      assert.equal(
        readFileSync(join(FIXTURES_DIR, name), "utf8"),
        readFileSync(join(SHARED, name), "utf8"),
        `${name} differs: copy it from ${SHARED}`,
      );
    }
  });
});
