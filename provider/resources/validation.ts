import type { z } from "zod";
import { issuesFromZod } from "../sdk";
import { PROVIDER_KEY } from "./partial-error";

/** What Pulumi's `check` returns for a bad input: the property and the reason. */
export interface CheckFailure {
  property: string;
  reason: string;
}

/** The engine's placeholder for a value not known until apply (e.g. an output of another resource). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export function isUnknown(v: unknown): boolean {
  return v === UNKNOWN;
}

type Props = Record<string, unknown>;

/**
 * `check` for a resource: the zod schema is the one validation at preview, rendered by the
 * SDK's one renderer. Values still unknown at preview (outputs of other resources) are left
 * out and nothing about them is reported; they are checked when they are known. On success
 * the inputs come back parsed (defaults applied), so create and update trust them as they are.
 * `keep` names inputs that are not the schema's but must reach create (e.g. the resource URN).
 */
export function checkInputs(
  schema: z.ZodType,
  news: Props,
  keep: readonly string[] = [],
): { inputs?: Props; failures?: CheckFailure[] } {
  const known: Props = {};
  const unknownKeys = new Set<string>();
  const kept: Props = {};
  for (const [k, v] of Object.entries(news)) {
    if (k === PROVIDER_KEY) continue;
    if (keep.includes(k)) kept[k] = v;
    else if (containsUnknown(v)) unknownKeys.add(k);
    else known[k] = v;
  }
  const result = schema.safeParse(known, { reportInput: true });
  if (result.success) return { inputs: { ...(result.data as Props), ...kept } };
  const failures = issuesFromZod(result.error, { schema })
    .filter((i) => !unknownKeys.has(i.path.split(/[.[]/)[0]!))
    .map((i) => ({ property: i.path, reason: i.message }));
  return failures.length ? { failures } : { inputs: news };
}

function containsUnknown(v: unknown): boolean {
  if (isUnknown(v)) return true;
  if (Array.isArray(v)) return v.some(containsUnknown);
  if (v && typeof v === "object") return Object.values(v).some(containsUnknown);
  return false;
}
