import { z } from "zod";
import { ValidationError, type ValidationIssue } from "./errors";

/**
 * The one renderer of validation mistakes. zod's issues become data (a path, a stable code,
 * a message naming the allowed values); `check` (as Pulumi CheckFailures), the SDK (as a
 * ValidationError) and the CLI (as flags) all print what this returns, so one mistake reads
 * the same everywhere.
 */

/** Render a path like ["ports", "22"] as `ports.22` and ["orderIds", 1] as `orderIds[1]`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join("");
}

type Issue = z.core.$ZodIssue;

export interface IssueOptions {
  /** Names the caller's own field for a top-level key (createOrder's camelCase for wire names). */
  rename?: (key: string) => string;
  /** The schema that failed: lets a message name allowed keys and say "integer" where zod says number. */
  schema?: z.ZodType;
}

/** zod issues → data. Unrecognised keys become one issue each, at the key, so a typo points at the typo. */
export function issuesFromZod(error: z.ZodError, options: IssueOptions = {}): ValidationIssue[] {
  const rename = options.rename ?? ((k: string) => k);
  const at = (path: ReadonlyArray<PropertyKey>) =>
    formatPath(path.map((p, i) => (i === 0 && typeof p === "string" ? rename(p) : p)));
  return error.issues.flatMap((issue) => {
    const target = options.schema && schemaAt(options.schema, issue.path);
    if (issue.code === "unrecognized_keys") {
      // In a record keyed by an enum (prices per currency) the allowed keys are worth naming.
      const keys = target && target._zod.def.type === "record" ? (target as z.ZodRecord)._zod.def.keyType : undefined;
      const allowed = keys instanceof z.ZodEnum ? (keys.options as unknown[]) : undefined;
      const message = allowed
        ? `must be one of ${allowed.map((v) => JSON.stringify(v)).join(", ")}`
        : "is not a known field; remove it or check its spelling";
      return issue.keys.map((k) => ({ path: at([...issue.path, k]), code: "unknown_field", message }));
    }
    if (issue.code === "invalid_type" && issue.expected === "number" && (target as z.ZodNumber | undefined)?.isInt) {
      return [{ path: at(issue.path), code: issue.code, message: describe({ ...issue, expected: "int" } as Issue) }];
    }
    return [{ path: at(issue.path), code: issue.code, message: describe(issue) }];
  });
}

/** The schema at `path` inside `schema` (through optional, default, nullable, objects, records and arrays). */
function schemaAt(schema: z.ZodType, path: ReadonlyArray<PropertyKey>): z.ZodType | undefined {
  let s: z.ZodType | undefined = schema;
  for (let i = 0; s && i <= path.length; ) {
    const def = s._zod.def as {
      type: string;
      innerType?: z.ZodType;
      shape?: Record<string, z.ZodType>;
      valueType?: z.ZodType;
      element?: z.ZodType;
    };
    if (def.innerType && ["optional", "default", "nullable", "prefault", "readonly"].includes(def.type)) {
      s = def.innerType;
      continue;
    }
    if (i === path.length) break;
    const key = path[i++];
    s =
      def.type === "object"
        ? (s as z.ZodObject).shape[String(key)]
        : def.type === "record"
          ? def.valueType
          : def.type === "array"
            ? def.element
            : undefined;
  }
  return s;
}

function describe(issue: Issue): string {
  switch (issue.code) {
    case "invalid_key":
      // A bad record key (port "70000", env name "1BAD"): zod wraps the key's own issue.
      return issue.issues[0] ? describe(issue.issues[0] as Issue) : "is not a valid key";
    case "invalid_value":
      return `must be ${issue.values.length === 1 ? JSON.stringify(issue.values[0]) : `one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`}${got(issue)}`;
    case "invalid_union":
      return describeUnion(issue);
    case "invalid_type": {
      // Without reportInput zod drops `input`, so the message is the only sign of a missing value.
      const missing = "input" in issue ? issue.input === undefined : /received undefined$/.test(issue.message);
      if (missing) return "is required";
      return `must be ${typeName(issue.expected)}${issue.expected === "int" ? got(issue) : ""}`;
    }
    case "too_small":
      if (issue.origin === "number" || issue.origin === "int")
        return `must be ${issue.inclusive ? ">=" : "greater than"} ${issue.minimum}${got(issue)}`;
      if (Number(issue.minimum) === 1 && (issue.origin === "string" || issue.origin === "array"))
        return "must not be empty";
      if (issue.origin === "string") return `must be at least ${issue.minimum} characters`;
      if (issue.origin === "array") return `must have at least ${issue.minimum} items`;
      return issue.message;
    case "too_big":
      if (issue.origin === "number" || issue.origin === "int")
        return `must be ${issue.inclusive ? "<=" : "less than"} ${issue.maximum}${got(issue)}`;
      if (issue.origin === "string") return `must be at most ${issue.maximum} characters`;
      if (issue.origin === "array") return `must have at most ${issue.maximum} items`;
      return issue.message;
    case "invalid_format":
      // Our regexes carry a message that says what is expected; zod's default names the pattern.
      return issue.message.startsWith("Invalid")
        ? `must match pattern ${(issue as { pattern?: string }).pattern ?? issue.format}`
        : issue.message;
    default:
      return issue.message;
  }
}

const TYPE_NAMES: Record<string, string> = {
  int: "an integer",
  record: "an object",
  object: "an object",
  array: "an array",
  undefined: "absent",
};
function typeName(expected: string): string {
  return TYPE_NAMES[expected] ?? `${/^[aeiou]/.test(expected) ? "an" : "a"} ${expected}`;
}

/** A union's literals: `"usd" or false`, `"a", "b" or "c"`. */
function choices(values: readonly unknown[]): string {
  const shown = values.map((v) => JSON.stringify(v));
  return shown.length > 1 ? `${shown.slice(0, -1).join(", ")} or ${shown.at(-1)}` : (shown[0] ?? "valid");
}

/** A union of literals names its values; a union of types names the types. */
function describeUnion(issue: Extract<Issue, { code: "invalid_union" }>): string {
  const branches = issue.errors.map((e) => e[0]).filter((e): e is Issue => e !== undefined);
  if (branches.length && branches.every((b) => b.code === "invalid_value")) {
    return `must be ${choices(branches.flatMap((b) => (b as { values: unknown[] }).values))}${got(issue)}`;
  }
  if (branches.length && branches.every((b) => b.code === "invalid_type")) {
    return `must be ${branches.map((b) => typeName((b as { expected: string }).expected)).join(" or ")}`;
  }
  // One branch had the right type and failed a check: that branch's reason is the useful one.
  const checked = branches.find((b) => b.code !== "invalid_type");
  return checked ? describe(checked) : issue.message;
}

/** ` (got -1)` for numbers and short enum-like strings; never long strings (they may be secrets). */
function got(issue: Issue): string {
  const v = (issue as { input?: unknown }).input;
  if (typeof v === "number" || typeof v === "boolean") return ` (got ${v})`;
  if (typeof v === "string" && v.length <= 32 && (issue.code === "invalid_value" || issue.code === "invalid_union"))
    return ` (got ${JSON.stringify(v)})`;
  return "";
}

/**
 * Parse `value` with `schema` or throw a ValidationError naming every bad field. `at` names
 * a positional argument (`orderId`), so its issues carry a path like an object field's.
 */
export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  value: unknown,
  context: string,
  at?: string,
  options: IssueOptions = {},
): z.output<S> {
  const result = schema.safeParse(value, { reportInput: true });
  if (!result.success) {
    const issues = issuesFromZod(result.error, { schema, ...options });
    throw new ValidationError(
      context,
      at === undefined
        ? issues
        : issues.map((i) => ({ ...i, path: i.path ? (i.path.startsWith("[") ? at + i.path : `${at}.${i.path}`) : at })),
    );
  }
  return result.data;
}

/**
 * A cross-field rule, as data: when `applies` holds, `path` gets `message`. Rules are
 * declared once beside their fields and run on every schema that carries those fields.
 */
export interface FieldRule<T> {
  path: keyof T & string;
  message: string;
  applies(value: Partial<T>): boolean;
}

/**
 * The rules as a zod check that runs even when some field failed its own schema, so `check`
 * reports every mistake at once; rules only compare values, so a wrong type cannot break them.
 */
export function withRules<S extends z.ZodType, T>(
  schema: S,
  rules: ReadonlyArray<FieldRule<T>>,
  view: (v: object) => Partial<T> = (v) => v as Partial<T>,
  pathOf: (p: string) => string = (p) => p,
): S {
  return schema.check(
    z.superRefine(
      (v, ctx) => {
        if (!v || typeof v !== "object") return;
        const seen = view(v);
        for (const r of rules)
          if (r.applies(seen)) ctx.addIssue({ code: "custom", path: [pathOf(r.path)], message: r.message });
      },
      { when: () => true },
    ),
  ) as S;
}
