import { readFileSync, readdirSync, statSync } from "node:fs";
import * as path from "node:path";

/**
 * The API's example payloads (docs/api-notes.md), vendored from the team's shared/clore-api/fixtures so a clone
 * tests on its own (fixtures-sync.spec.ts compares the copy when shared/ sits beside the
 * clone). CLORE_API_FIXTURES points the tests at another copy.
 */
export const FIXTURES_DIR = process.env.CLORE_API_FIXTURES ?? path.resolve(__dirname, "../fixtures/clore-api");

/** Parsed JSON of `fixtures/<name>` (name may include a subfolder, e.g. `errors/x.json`). */
export function fixture<T = any>(name: string): T {
  return JSON.parse(readFileSync(path.join(FIXTURES_DIR, name), "utf8")) as T;
}

/** Raw text of a fixture, for feeding a fake transport byte for byte. */
export function fixtureText(name: string): string {
  return readFileSync(path.join(FIXTURES_DIR, name), "utf8");
}

/** Every *.json fixture, as paths relative to FIXTURES_DIR (`errors/…`, `requests/…` included). */
export function listFixtures(dir = FIXTURES_DIR, prefix = ""): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) return listFixtures(full, `${prefix}${name}/`);
      return name.endsWith(".json") ? [`${prefix}${name}`] : [];
    });
}
