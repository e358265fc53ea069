import { mkdirSync, mkdtempSync } from "node:fs";
import { join } from "node:path";

/** A fresh scratch directory under the repo's `.tmp/`, creating `.tmp/` first (it is absent on a fresh clone). */
export function scratchDir(prefix: string, root = join(__dirname, "..", "..", ".tmp")): string {
  mkdirSync(root, { recursive: true });
  return mkdtempSync(join(root, `${prefix}-`));
}
