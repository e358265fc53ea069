import { createHash } from "node:crypto";
import { issuesFromZod } from "../sdk";

/** Deterministic made-up tokens (auto_login, http_pub), so runs are reproducible. */
export function token(seed: string, length: number): string {
  return createHash("sha256").update(seed).digest("base64url").replace(/[-_]/g, "x").slice(0, length);
}

export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** zod issues as one line, `path: message; …` (the SDK's wording); an issue at the root shows as `(<root>)`. */
export function renderIssues(error: Parameters<typeof issuesFromZod>[0], root: string): string {
  return issuesFromZod(error)
    .map((i) => `${i.path || `(${root})`}: ${i.message}`)
    .join("; ");
}
