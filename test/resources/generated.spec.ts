import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { GENERATED } from "../../scripts/generate";

describe("files generated from the zod declarations", () => {
  for (const [file, make] of Object.entries(GENERATED)) {
    it(`${file} is current (regenerate with npm run generate)`, () => {
      assert.equal(readFileSync(join(__dirname, "../..", file), "utf8"), make());
    });
  }
});
