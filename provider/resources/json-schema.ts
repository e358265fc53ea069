import { z } from "zod";

/** The JSON Schema subset zod emits for our declarations, as the generators read it. */
export type JsonSchema = {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  additionalProperties?: JsonSchema | boolean;
  propertyNames?: JsonSchema;
  anyOf?: JsonSchema[];
};

/**
 * A zod declaration as JSON Schema, the one view every generated artifact is made from (the
 * public TypeScript types, docs/reference.md, the plugin's package schema). `io: "input"` is
 * what users write (defaults optional), `"output"` what the resource reports.
 */
export function jsonSchema(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  return z.toJSONSchema(schema, { io, unrepresentable: "any" }) as JsonSchema;
}
