import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { reference } from "../../scripts/gen-reference";

describe("docs/reference.md", () => {
  it("matches the input schemas (regenerate with npx ts-node scripts/gen-reference.ts)", () => {
    assert.equal(readFileSync(join(__dirname, "../../docs/reference.md"), "utf8"), reference());
  });
});
