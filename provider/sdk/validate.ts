import type { z } from "zod";
import { ValidationError, type ValidationIssue } from "./errors";

/** Render a path like ["ports", "22"] as `ports.22` and [“env”, 0] as `env[0]`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path
    .map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join("");
}

/** zod issues → data: a path and a message that names the allowed values. */
export function issuesFromZod(error: z.ZodError, rename: (key: string) => string = (k) => k): ValidationIssue[] {
  return error.issues.map((issue) => {
    const path = formatPath(issue.path.map((p, i) => (i === 0 && typeof p === "string" ? rename(p) : p)));
    let message = issue.message;
    if (issue.code === "invalid_value") {
      message = `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    } else if (issue.code === "unrecognized_keys") {
      message = `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => JSON.stringify(rename(k))).join(", ")}`;
    } else if (issue.code === "invalid_type") {
      message = `must be ${issue.expected === "nonoptional" ? "set" : `a ${issue.expected}`}`;
      if (issue.input === undefined) message = "is required";
    } else if (issue.code === "too_small" && issue.origin === "number") {
      message = `must be ${issue.inclusive ? ">=" : ">"} ${issue.minimum}`;
    }
    return { path, message };
  });
}

/** Parse `value` with `schema` or throw a ValidationError naming every bad field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, context: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ValidationError(context, issuesFromZod(result.error));
  return result.data;
}
