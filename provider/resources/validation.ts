import type { ErrorObject, ValidateFunction } from "ajv/dist/2020";
import { z } from "zod";
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

/**
 * Builds a `check` validator from a zod input schema: the JSON Schema comes from
 * `z.toJSONSchema(schema, { io: "input" })`, so the zod schema stays the one declaration.
 * Values unknown at preview are skipped, not rejected.
 *
 * ajv is loaded and the schema compiled at the first check, not when the provider module
 * loads: compiling allocates several MB in the dynamic-provider plugin, which operations
 * that never call check (refresh, destroy) should not pay for.
 */
export function inputValidator(schema: z.ZodType): (inputs: Record<string, unknown>) => CheckFailure[] {
  let validate: ValidateFunction | undefined;
  return (inputs) => {
    validate ??= compile(schema);
    const { known, unknownKeys } = withoutUnknowns(inputs);
    if (validate(known)) return [];
    return dedupe(
      (validate.errors ?? [])
        // A failed branch of an anyOf is reported once, by the anyOf itself.
        .filter((e) => !/\/anyOf\/\d+\//.test(e.schemaPath))
        .map(failureFromAjv)
        .filter((f) => !unknownKeys.has(f.property.split(/[.[]/)[0]!)),
    );
  };
}

function compile(schema: z.ZodType): ValidateFunction {
  // Required here, not imported at the top, so that loading this module does not load ajv.
  const Ajv2020: typeof import("ajv/dist/2020").default = require("ajv/dist/2020").default;
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true });
  ajv.addKeyword({ keyword: "x-hint", schemaType: "string" });
  return ajv.compile(z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }));
}

/** Drop top-level values that are unknown at preview (and nested ones: their parent is skipped). */
function withoutUnknowns(inputs: Record<string, unknown>): { known: Record<string, unknown>; unknownKeys: Set<string> } {
  const known: Record<string, unknown> = {};
  const unknownKeys = new Set<string>();
  for (const [k, v] of Object.entries(inputs)) {
    if (k === PROVIDER_KEY) continue;
    if (containsUnknown(v)) unknownKeys.add(k);
    else known[k] = v;
  }
  return { known, unknownKeys };
}

function containsUnknown(v: unknown): boolean {
  if (isUnknown(v)) return true;
  if (Array.isArray(v)) return v.some(containsUnknown);
  if (v && typeof v === "object") return Object.values(v).some(containsUnknown);
  return false;
}

/** ajv's `/ports/22` → `ports.22`, with a reason that names allowed values or the hint. */
function failureFromAjv(e: ErrorObject): CheckFailure {
  const segments = e.instancePath.split("/").slice(1).map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
  // Nested inputs are maps (ports, env), so keys read as `ports.22`, `env.HF_TOKEN`.
  const join = (segs: string[]) => segs.join(".");
  const hint = (e.parentSchema as { "x-hint"?: string } | undefined)?.["x-hint"];
  // A failing key of a map (a port number, an env name) is reported at that key.
  const key = (e as ErrorObject & { propertyName?: string }).propertyName;
  if (key !== undefined) segments.push(key);
  switch (e.keyword) {
    case "required":
      return { property: join([...segments, String(e.params.missingProperty)]), reason: "is required" };
    case "additionalProperties":
      return { property: join([...segments, String(e.params.additionalProperty)]), reason: `is not a known field; remove it or check its spelling` };
    case "enum":
      return { property: join(segments), reason: `must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")} (got ${JSON.stringify(e.data)})` };
    case "propertyNames":
      return { property: join([...segments, String(e.params.propertyName)]), reason: "has an invalid key" };
    case "pattern":
      return { property: join(segments), reason: hint ?? `must match ${e.params.pattern}` };
    case "type": {
      const types = String(e.params.type).split(",");
      const article = (t: string) => (/^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`);
      return { property: join(segments), reason: `must be ${types.map(article).join(" or ")}` };
    }
    case "minItems":
      return { property: join(segments), reason: e.params.limit === 1 ? "must not be empty" : `must have at least ${e.params.limit} items` };
    case "const":
    case "anyOf":
      return { property: join(segments), reason: `must be ${describeChoices(e.parentSchema)} (got ${JSON.stringify(e.data)})` };
    case "minLength":
      return { property: join(segments), reason: e.params.limit === 1 ? "must not be empty" : `must be at least ${e.params.limit} characters` };
    case "maxLength":
      return { property: join(segments), reason: `must be at most ${e.params.limit} characters` };
    case "exclusiveMinimum":
      return { property: join(segments), reason: `must be greater than ${e.params.limit} (got ${JSON.stringify(e.data)})` };
    case "minimum":
    case "maximum":
    case "exclusiveMaximum":
      return { property: join(segments), reason: `must be ${e.params.comparison} ${e.params.limit} (got ${JSON.stringify(e.data)})` };
    default:
      return { property: join(segments), reason: e.message ?? "is invalid" };
  }
}

/** The allowed values of an anyOf/const schema, e.g. `"usd" or false`. */
function describeChoices(schema: unknown): string {
  const s = schema as { const?: unknown; anyOf?: Array<{ const?: unknown; type?: string; enum?: unknown[] }> };
  if (s?.const !== undefined) return JSON.stringify(s.const);
  const choices = (s?.anyOf ?? []).flatMap((a) => (a.const !== undefined ? [JSON.stringify(a.const)] : a.enum ? a.enum.map((v) => JSON.stringify(v)) : a.type ? [`a ${a.type}`] : []));
  if (choices.length === 2) return `${choices[0]} or ${choices[1]}`;
  return choices.length ? `one of ${choices.join(", ")}` : "valid";
}

/** One failure per property. A propertyNames failure comes with its inner pattern failure; keep the informative one. */
function dedupe(failures: CheckFailure[]): CheckFailure[] {
  const byProperty = new Map<string, CheckFailure>();
  for (const f of failures) {
    const prev = byProperty.get(f.property);
    if (!prev || prev.reason === "has an invalid key") byProperty.set(f.property, f);
  }
  return [...byProperty.values()];
}

/** zod issues (cross-field rules ajv cannot express) in the same shape. */
export function failuresFromZod(error: z.ZodError): CheckFailure[] {
  return error.issues.map((i) => ({ property: i.path.map(String).join("."), reason: i.message }));
}
