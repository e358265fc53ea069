/**
 * Honest TTL, the pure part. Nothing inside Clore ends an order at a given time; we record
 * when it should end, refresh reports it, and the next `up` (or `clore orphans --expired`)
 * cancels it.
 */
const UNIT_S = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

export function ttlSeconds(ttl: number | string): number {
  if (typeof ttl === "number") return ttl;
  const m = /^(\d+)(s|m|h|d)$/.exec(ttl);
  if (!m) throw new Error(`ttl "${ttl}" must be seconds or a duration like "90m", "8h", "2d"`);
  return Number(m[1]) * UNIT_S[m[2] as keyof typeof UNIT_S];
}

/** When the order must end, as ISO 8601, from `expiresAt` or `createdAt + ttl`. */
export function expiryOf(
  i: { ttl?: number | string; expiresAt?: string },
  createdAt: string | undefined,
): string | undefined {
  if (i.expiresAt) return new Date(i.expiresAt).toISOString();
  if (i.ttl === undefined || !createdAt) return undefined;
  return new Date(Date.parse(createdAt) + ttlSeconds(i.ttl) * 1000).toISOString();
}

export function isPast(iso: string | undefined, now: number): boolean {
  return iso !== undefined && Date.parse(iso) <= now;
}

/** Status of an order cancelled because its TTL ran out; it stays in state as a record. */
export const TTL_EXPIRED = "ttl-expired" as const;
