import type { z } from "zod";
import { ValidationError, type ValidationIssue } from "./errors";

/** Render a path like ["ports", "22"] as `ports.22` and [“env”, 0] as `env[0]`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path
    .map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join("");
}

type Issue = z.core.$ZodIssue;

/**
 * zod issues → data: a path and a message that names the allowed values. The wording
 * matches the resources' ajv renderer (`provider/resources/validation.ts`), so the SDK,
 * `check` and the CLI describe one mistake the same way.
 */
export function issuesFromZod(error: z.ZodError, rename: (key: string) => string = (k) => k): ValidationIssue[] {
  return error.issues.flatMap((issue) => {
    const path = issue.path.map((p, i) => (i === 0 && typeof p === "string" ? rename(p) : p));
    if (issue.code === "unrecognized_keys") {
      // One issue per key, at the key itself, so a typo points at the typo.
      return issue.keys.map((k) => ({ path: formatPath([...path, path.length === 0 ? rename(k) : k]), message: "is not a known field; remove it or check its spelling" }));
    }
    return [{ path: formatPath(path), message: describe(issue) }];
  });
}

function describe(issue: Issue): string {
  switch (issue.code) {
    case "invalid_key":
      // A bad record key (port "70000", env name "1BAD"): zod wraps the key's own issue.
      return issue.issues[0] ? describe(issue.issues[0] as Issue) : "is not a valid key";
    case "invalid_value":
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}${got(issue)}`;
    case "invalid_type": {
      // Without reportInput zod drops `input`, so the message is the only sign of a missing value.
      const missing = "input" in issue ? issue.input === undefined : /received undefined$/.test(issue.message);
      if (missing) return "is required";
      if (issue.expected === "int") return `must be an integer${got(issue)}`;
      return `must be ${/^[aeiou]/.test(issue.expected) ? "an" : "a"} ${issue.expected}`;
    }
    case "too_small":
      if (issue.origin === "number" || issue.origin === "int") return `must be ${issue.inclusive ? ">=" : ">"} ${issue.minimum}${got(issue)}`;
      if (Number(issue.minimum) === 1 && (issue.origin === "string" || issue.origin === "array")) return "must not be empty";
      if (issue.origin === "string") return `must be at least ${issue.minimum} characters`;
      if (issue.origin === "array") return `must have at least ${issue.minimum} items`;
      return issue.message;
    case "too_big":
      if (issue.origin === "number" || issue.origin === "int") return `must be ${issue.inclusive ? "<=" : "<"} ${issue.maximum}${got(issue)}`;
      if (issue.origin === "string") return `must be at most ${issue.maximum} characters`;
      if (issue.origin === "array") return `must have at most ${issue.maximum} items`;
      return issue.message;
    default:
      return issue.message;
  }
}

/** ` (got -1)` for numbers and short enum-like strings; never long strings (they may be secrets). */
function got(issue: Issue): string {
  const v = (issue as { input?: unknown }).input;
  if (typeof v === "number" || typeof v === "boolean") return ` (got ${v})`;
  if (typeof v === "string" && v.length <= 32 && issue.code === "invalid_value") return ` (got ${JSON.stringify(v)})`;
  return "";
}

/**
 * Parse `value` with `schema` or throw a ValidationError naming every bad field. `at` names
 * a positional argument (`orderId`), so its issues carry a path like an object field's.
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, context: string, at?: string): z.output<S> {
  const result = schema.safeParse(value, { reportInput: true });
  if (!result.success) {
    const issues = issuesFromZod(result.error);
    throw new ValidationError(context, at === undefined ? issues : issues.map((i) => ({ ...i, path: i.path ? (i.path.startsWith("[") ? at + i.path : `${at}.${i.path}`) : at })));
  }
  return result.data;
}
