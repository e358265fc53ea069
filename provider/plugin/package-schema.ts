import { FUNCTIONS, PACKAGE, RESOURCES, type ResourceSpec } from "../resources/catalog";
import { type JsonSchema, jsonSchema } from "../resources/json-schema";

/**
 * The Pulumi package schema of the `clore` plugin, derived from the catalog's zod declarations
 * (the same JSON Schema the TypeScript types and docs/reference.md come from), never written
 * by hand. The plugin serves it (GetSchema) and scripts/generate.ts writes it to
 * provider/plugin/schema.json, from which scripts/release.sh generates the Python and Go SDKs.
 *
 * Mapping: strings, numbers, integers and booleans as themselves; enums as strings (check
 * enforces the values; the description lists them); unions as `oneOf`; records as maps;
 * objects with fields as named types (`clore:index:<Owner><Field>`, one per distinct shape).
 * `replaceOnChanges` marks the catalog's replacing inputs for the SDKs' docs; what replaces is
 * still decided by the provider's diff (it reports no changed keys for the engine to widen).
 */
export interface TypeSpec {
  type?: "string" | "number" | "integer" | "boolean" | "array" | "object";
  $ref?: string;
  items?: TypeSpec;
  additionalProperties?: TypeSpec;
  oneOf?: TypeSpec[];
}

export interface PropertySpec extends TypeSpec {
  description?: string;
  secret?: boolean;
  replaceOnChanges?: boolean;
}

export interface ObjectTypeSpec {
  type: "object";
  description?: string;
  properties: Record<string, PropertySpec>;
  required?: string[];
}

export interface ResourceTypeSpec extends ObjectTypeSpec {
  inputProperties: Record<string, PropertySpec>;
  requiredInputs?: string[];
}

export interface PackageSchema {
  name: string;
  version?: string;
  displayName: string;
  description: string;
  publisher: string;
  license: string;
  keywords: string[];
  pluginDownloadURL: string;
  config: { variables: Record<string, PropertySpec> };
  provider: { description: string; inputProperties: Record<string, PropertySpec> };
  types: Record<string, ObjectTypeSpec>;
  resources: Record<string, ResourceTypeSpec>;
  functions: Record<string, { description: string; inputs: ObjectTypeSpec; outputs: ObjectTypeSpec }>;
  language: Record<string, unknown>;
  meta: { supportPack: boolean };
}

/**
 * Where the project lives: the one declaration of the owner/name that package.json's
 * `repository`, the Go module path and the release workflow's tags follow (a unit test holds
 * package.json to it).
 */
export const REPOSITORY = "github.com/pulumi-clore/pulumi-clore";

/**
 * The Go module of the generated Go SDK: a sub-module of the repository in sdk/go, released by
 * `sdk/go/vX.Y.Z` tags (scripts/publish.sh), so `go get` resolves it through the module proxy.
 */
export const GO_MODULE = `${REPOSITORY}/sdk/go`;
const GO_IMPORT_BASE = `${GO_MODULE}/clore`;

/**
 * Where Pulumi downloads the plugin by itself when a program needs it and it is not
 * installed: the GitHub release of the version asked for, whose assets scripts/release.sh
 * builds (pulumi-resource-clore-v<version>-<os>-<arch>.tar.gz). The repository is
 * package.json's (a unit test holds them together). A mirror or a test's asset server takes
 * its place with Pulumi's PULUMI_PLUGIN_DOWNLOAD_URL_OVERRIDES, e.g.
 * `^github://api.github.com/pulumi-clore/pulumi-clore$=https://mirror.example/v${VERSION}`.
 */
export const PLUGIN_DOWNLOAD_URL = `github://api.${REPOSITORY}`;

/** The provider's configuration, as `clore:apiKey` / `clore:baseUrl` or an explicit provider's inputs. */
const PROVIDER_CONFIG: Record<string, PropertySpec> = {
  apiKey: {
    type: "string",
    secret: true,
    description:
      "Clore API key. Set it with `pulumi config set --secret clore:apiKey <key>`, or give it to an explicit provider. When unset: the CLORE_API_KEY environment variable, then `api_key` in ~/.clore/config.json (which keep the key out of the stack's state).",
  },
  baseUrl: {
    type: "string",
    description:
      "Clore API base URL. When unset: CLORE_BASE_URL, then `base_url` in ~/.clore/config.json, then https://api.clore.ai/v1.",
  },
  rateLimitStore: {
    type: "string",
    secret: true,
    description:
      'Where the key\'s rate-limit slots are kept: "file" (default: every process on this machine), "memory" (this process) or a Redis URL, redis://[user:password@]host:6379[/db] or rediss:// for TLS, shared by every machine using the key (needs the `ioredis` package). Set it with `pulumi config set --secret clore:rateLimitStore redis://…`. When unset: CLORE_RATE_LIMIT_STORE. A wrong URL or password fails at preview; Redis going away mid-run falls back to the per-machine ledger, 3× wider spaced, until it answers again.',
  },
  events: {
    type: "string",
    secret: true,
    description:
      "Where lifecycle events go (order rented, ready, outbid, TTL cancelled, cancelled): comma-separated `stdout`, `file:/abs/path` (JSON lines) and `https://…` webhook URLs (a Slack-compatible JSON body, retried, 5 s timeout per try; never fails or holds an operation). Secret: a webhook URL is a credential. Set it with `pulumi config set --secret clore:events https://hooks.slack.com/…`. When unset: CLORE_EVENTS. A malformed value fails at preview.",
  },
};

/** The token of a resource or function in the `clore` package. */
export function token(name: string): string {
  return `${PACKAGE}:index:${name}`;
}

/** The whole package schema; `version` is left out of the committed file (releases set it). */
export function packageSchema(version?: string): PackageSchema {
  const types = new TypeRegistry();
  const resources = Object.fromEntries(RESOURCES.map((r) => [token(r.name), resourceSpec(r, types)]));
  const functions = Object.fromEntries(
    FUNCTIONS.map((f) => {
      const title = f.name[0]!.toUpperCase() + f.name.slice(1);
      return [
        token(f.name),
        {
          description: f.description,
          inputs: types.objectSpec(jsonSchema(f.inputs, "input"), title, { defaultsRequired: false }),
          outputs: types.objectSpec(jsonSchema(f.outputs, "output"), title, { defaultsRequired: true }),
        },
      ];
    }),
  );
  return {
    name: PACKAGE,
    ...(version ? { version } : {}),
    displayName: "Clore.ai",
    description:
      "Rent and run Clore.ai GPU servers as code: orders (rented servers), host server settings and a marketplace search.",
    publisher: "pulumi-clore",
    license: "Apache-2.0",
    keywords: ["pulumi", "clore", "gpu", "category/cloud", "kind/native"],
    pluginDownloadURL: PLUGIN_DOWNLOAD_URL,
    config: { variables: PROVIDER_CONFIG },
    provider: {
      description: "The Clore.ai provider: one API key (account) and base URL per provider instance.",
      inputProperties: PROVIDER_CONFIG,
    },
    types: types.all,
    resources,
    functions,
    language: {
      python: {
        packageName: "pulumi_clore",
        requires: { pulumi: ">=3.0.0,<4.0.0" },
        pyproject: { enabled: true },
        respectSchemaVersion: true,
      },
      go: { importBasePath: GO_IMPORT_BASE, generateResourceContainerTypes: true, respectSchemaVersion: true },
    },
    // Generated SDKs ship their plugin's name and version (pulumi-plugin.json), so the engine
    // asks for exactly this plugin.
    meta: { supportPack: true },
  };
}

function resourceSpec(r: ResourceSpec, types: TypeRegistry): ResourceTypeSpec {
  const secret = new Set(r.secretOutputs);
  const mark = (props: Record<string, PropertySpec>, replace: boolean) => {
    for (const [name, p] of Object.entries(props)) {
      if (secret.has(name)) p.secret = true;
      if (replace && r.replaceOnChanges.includes(name)) p.replaceOnChanges = true;
    }
    return props;
  };
  const inputs = types.objectSpec(jsonSchema(r.inputs, "input"), r.name, { defaultsRequired: false });
  const applied = types.objectSpec(jsonSchema(r.inputs, "output"), r.name, { defaultsRequired: true });
  const state = types.objectSpec(jsonSchema(r.state, "output"), r.name, { defaultsRequired: true });
  const required = [...new Set([...(applied.required ?? []), ...(state.required ?? [])])];
  return {
    type: "object",
    description: r.description,
    // Outputs: every input as applied, then the state (whose description wins for a field in both).
    properties: mark({ ...applied.properties, ...state.properties }, true),
    ...(required.length ? { required } : {}),
    inputProperties: mark(inputs.properties, false),
    ...(inputs.required?.length ? { requiredInputs: inputs.required } : {}),
  };
}

/**
 * Named object types, one per distinct shape, named after the first field that has it. A
 * named type serves as input and output alike, so its fields with a default are optional.
 */
class TypeRegistry {
  readonly all: Record<string, ObjectTypeSpec> = {};
  private readonly byShape = new Map<string, string>();

  /** An object's fields; with `defaultsRequired` false a field with a default is optional. */
  objectSpec(s: JsonSchema, owner: string, o: { defaultsRequired: boolean }): ObjectTypeSpec {
    const properties = Object.fromEntries(
      Object.entries(s.properties ?? {}).map(([name, p]) => [
        name,
        { ...this.typeOf(p, owner + pascal(name)), ...describe(p) },
      ]),
    );
    const required = (s.required ?? []).filter(
      (name) => o.defaultsRequired || s.properties?.[name]?.default === undefined,
    );
    return { type: "object", properties, ...(required.length ? { required } : {}) };
  }

  private typeOf(s: JsonSchema, hint: string): TypeSpec {
    const alternatives = s.anyOf ?? (Array.isArray(s.type) ? s.type.map((type) => ({ ...s, type })) : undefined);
    if (alternatives) {
      const specs = alternatives.map((a) => this.typeOf(a, hint));
      const distinct = [...new Map(specs.map((t) => [JSON.stringify(t), t])).values()];
      return distinct.length === 1 ? distinct[0]! : { oneOf: distinct };
    }
    switch (s.type) {
      case "string":
      case "number":
      case "integer":
      case "boolean":
        return { type: s.type };
      case "array":
        return { type: "array", items: this.typeOf(s.items ?? {}, hint.replace(/s$/, "")) };
      case "object":
        if (s.properties) return { $ref: `#/types/${this.named(s, hint)}` };
        return {
          type: "object",
          additionalProperties:
            typeof s.additionalProperties === "object" ? this.typeOf(s.additionalProperties, hint) : ANY,
        };
      default:
        return ANY;
    }
  }

  private named(s: JsonSchema, hint: string): string {
    const spec = this.objectSpec(s, hint, { defaultsRequired: false });
    const shape = JSON.stringify(spec);
    let name = this.byShape.get(shape);
    if (!name) {
      name = token(hint);
      // Two shapes for one field name: give the declarations' fields distinct names.
      if (this.all[name]) throw new Error(`package schema: two different object types would be named ${name}`);
      this.byShape.set(shape, name);
      this.all[name] = spec;
    }
    return name;
  }
}

const ANY: TypeSpec = { $ref: "pulumi.json#/Any" };

const pascal = (name: string) => name[0]!.toUpperCase() + name.slice(1);

/** The field's description; an enum's values are added unless the description names them all. */
function describe(s: JsonSchema): { description?: string } {
  const values = (
    s.enum ??
    s.items?.enum ??
    (typeof s.additionalProperties === "object" ? s.additionalProperties.enum : undefined)
  )?.map(String);
  let text = s.description ?? "";
  if (values && !values.every((v) => text.includes(v)))
    text = `${text} One of: ${values.map((v) => `"${v}"`).join(", ")}.`.trim();
  return text ? { description: text } : {};
}
