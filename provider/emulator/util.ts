import { createHash } from "node:crypto";

/** Deterministic made-up tokens (auto_login, http_pub), so runs are reproducible. */
export function token(seed: string, length: number): string {
  return createHash("sha256").update(seed).digest("base64url").replace(/[-_]/g, "x").slice(0, length);
}

export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
