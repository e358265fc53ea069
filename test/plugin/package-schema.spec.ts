import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  type PackageSchema,
  type PropertySpec,
  REPOSITORY,
  type TypeSpec,
  packageSchema,
} from "../../provider/plugin/package-schema";
import { FUNCTIONS, RESOURCES } from "../../provider/resources/catalog";
import { type JsonSchema, jsonSchema } from "../../provider/resources/json-schema";
import { REPO } from "../helpers/build";

/**
 * The plugin's package schema says what the zod declarations say: every field, its kind,
 * whether it is required, secret or replacing, and its description. (generated.spec.ts checks
 * that provider/plugin/schema.json is this schema.)
 */
const schema: PackageSchema = packageSchema("1.2.3");

/** The kind of value a JSON Schema field holds, and the kind a Pulumi type spec holds. */
function zodKind(s: JsonSchema): string {
  if (s.anyOf || Array.isArray(s.type)) return "union";
  if (s.enum || s.const !== undefined) return "string";
  if (s.type === "object") return s.properties ? "object" : "map";
  return String(s.type ?? "any");
}

function pulumiKind(t: TypeSpec): string {
  if (t.oneOf) return "union";
  if (t.$ref?.startsWith("#/types/")) return "object";
  if (t.type === "object") return "map";
  return t.type ?? "any";
}

function resolve(t: TypeSpec): PropertySpec {
  return t.$ref?.startsWith("#/types/") ? schema.types[t.$ref.slice("#/types/".length)]! : t;
}

/** Fields of two objects agree in name, kind and description, and nested objects' fields too. */
function assertSameFields(where: string, zod: JsonSchema, pulumi: Record<string, PropertySpec>) {
  assert.deepEqual(Object.keys(pulumi).sort(), Object.keys(zod.properties ?? {}).sort(), `${where}: fields`);
  for (const [name, z] of Object.entries(zod.properties ?? {})) {
    const p = pulumi[name]!;
    assert.equal(pulumiKind(p), zodKind(z), `${where}.${name}: kind`);
    assert.ok(
      p.description?.startsWith(z.description ?? ""),
      `${where}.${name}: description "${p.description}" does not start with zod's "${z.description}"`,
    );
    const item =
      zodKind(z) === "object"
        ? z
        : (z.items ?? (typeof z.additionalProperties === "object" ? z.additionalProperties : undefined));
    const pItem = pulumiKind(p) === "object" ? p : (p.items ?? p.additionalProperties);
    if (item?.properties && pItem)
      assertSameFields(
        `${where}.${name}`,
        item,
        (resolve(pItem) as { properties: Record<string, PropertySpec> }).properties,
      );
  }
}

describe("the plugin's package schema, derived from the zod declarations", () => {
  it("names the package clore, with the given version and SDK settings that generate", () => {
    assert.equal(schema.name, "clore");
    assert.equal(schema.version, "1.2.3");
    assert.equal(packageSchema().version, undefined, "the committed schema.json carries no version");
    assert.deepEqual(Object.keys(schema.language).sort(), ["go", "python"]);
    assert.deepEqual(schema.meta, { supportPack: true });
  });

  it("puts the Go SDK in the repository's sdk/go module, the repository package.json names", () => {
    const pkg = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as {
      repository: { url: string };
    };
    assert.equal(pkg.repository.url, `git+https://${REPOSITORY}.git`);
    assert.equal((schema.language.go as { importBasePath: string }).importBasePath, `${REPOSITORY}/sdk/go/clore`);
  });

  it("tells Pulumi to download the plugin from the GitHub releases of package.json's repository", () => {
    const { repository } = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as {
      repository: { url: string };
    };
    const [, owner, name] = /github\.com\/([^/]+)\/([^/.]+)/.exec(repository.url) ?? [];
    assert.equal(schema.pluginDownloadURL, `github://api.github.com/${owner}/${name}`);
  });

  it("has the provider config apiKey (secret), baseUrl, rateLimitStore (secret: a Redis URL may hold a password) and events (secret: a webhook URL is a credential), each naming its environment fallback", () => {
    for (const props of [schema.config.variables, schema.provider.inputProperties]) {
      assert.deepEqual(Object.keys(props).sort(), ["apiKey", "baseUrl", "events", "rateLimitStore"]);
      assert.equal(props.apiKey!.secret, true);
      assert.equal(props.rateLimitStore!.secret, true);
      assert.equal(props.events!.secret, true);
      assert.match(props.events!.description!, /CLORE_EVENTS/);
      assert.match(props.rateLimitStore!.description!, /CLORE_RATE_LIMIT_STORE/);
      assert.match(props.apiKey!.description!, /CLORE_API_KEY/);
      assert.match(props.baseUrl!.description!, /CLORE_BASE_URL/);
    }
  });

  it("serves every catalog resource and function under clore:index:<name>", () => {
    assert.deepEqual(Object.keys(schema.resources).sort(), RESOURCES.map((r) => `clore:index:${r.name}`).sort());
    assert.deepEqual(Object.keys(schema.functions).sort(), FUNCTIONS.map((f) => `clore:index:${f.name}`).sort());
  });

  for (const r of RESOURCES) {
    describe(`clore:index:${r.name}`, () => {
      const res = schema.resources[`clore:index:${r.name}`]!;
      const inputs = jsonSchema(r.inputs, "input");
      const state = jsonSchema(r.state, "output");

      it("has every input, of its kind, with its description", () => {
        assertSameFields(r.name, inputs, res.inputProperties);
      });

      it("requires exactly the inputs that are required and have no default", () => {
        const required = (inputs.required ?? []).filter((k) => inputs.properties![k]!.default === undefined);
        assert.deepEqual([...(res.requiredInputs ?? [])].sort(), required.sort());
      });

      it("reports every input as applied and every state field as outputs", () => {
        const outputs = { ...jsonSchema(r.inputs, "output").properties, ...state.properties };
        assertSameFields(r.name, { properties: outputs }, res.properties);
        for (const k of state.required ?? []) assert.ok(res.required?.includes(k), `${k} is always reported`);
      });

      it("marks secretOutputs secret as inputs and outputs, and nothing else", () => {
        const secretIn = Object.keys(res.inputProperties).filter((k) => res.inputProperties[k]!.secret);
        const secretOut = Object.keys(res.properties).filter((k) => res.properties[k]!.secret);
        assert.deepEqual(secretIn.sort(), [...r.secretOutputs].sort());
        assert.deepEqual(secretOut.sort(), [...r.secretOutputs].sort());
      });

      it("marks exactly the replacing inputs replaceOnChanges", () => {
        const replacing = Object.keys(res.properties).filter((k) => res.properties[k]!.replaceOnChanges);
        assert.deepEqual(replacing.sort(), [...r.replaceOnChanges].sort());
      });
    });
  }

  for (const f of FUNCTIONS) {
    it(`clore:index:${f.name} takes the function's arguments and returns its result`, () => {
      const fn = schema.functions[`clore:index:${f.name}`]!;
      assertSameFields(`${f.name} inputs`, jsonSchema(f.inputs, "input"), fn.inputs.properties);
      assertSameFields(`${f.name} outputs`, jsonSchema(f.outputs, "output"), fn.outputs.properties);
      assert.equal(fn.description, f.description);
    });
  }

  it("maps the value shapes users meet: unions, records, enums and nested objects", () => {
    const order = schema.resources["clore:index:Order"]!.inputProperties;
    const settings = schema.resources["clore:index:ServerSettings"]!.inputProperties;
    const market = schema.functions["clore:index:getMarketplace"]!;
    const shapes = {
      ttl: order.ttl!.oneOf,
      triggers: order.triggers!.items,
      ports: order.ports!.additionalProperties,
      select: order.select!.$ref,
      autoprice: settings.autoprice!.additionalProperties,
      usdPricing: settings.usdPricing!.additionalProperties,
      servers: market.outputs.properties.servers!.items,
      cheapest: market.outputs.properties.cheapest!.$ref,
    };
    assert.deepEqual(shapes, {
      ttl: [{ type: "integer" }, { type: "string" }],
      triggers: { oneOf: [{ type: "string" }, { type: "number" }, { type: "boolean" }] },
      ports: { type: "string" },
      select: "#/types/clore:index:OrderSelect",
      autoprice: { oneOf: [{ type: "string" }, { type: "boolean" }] },
      usdPricing: { $ref: "#/types/clore:index:ServerSettingsUsdPricing" },
      servers: { $ref: "#/types/clore:index:GetMarketplaceServer" },
      cheapest: "#/types/clore:index:GetMarketplaceServer",
    });
    assert.match(
      market.inputs.properties.currency!.description!,
      /One of: "bitcoin", "CLORE-Blockchain", "USD-Blockchain"\./,
    );
  });

  it("describes every field of every type, resource and function", () => {
    const undescribed: string[] = [];
    const check = (where: string, props: Record<string, PropertySpec>) => {
      for (const [k, p] of Object.entries(props)) if (!p.description) undescribed.push(`${where}.${k}`);
    };
    for (const [name, t] of Object.entries(schema.types)) check(name, t.properties);
    for (const [name, r] of Object.entries(schema.resources)) {
      check(name, r.inputProperties);
      check(name, r.properties);
    }
    for (const [name, f] of Object.entries(schema.functions)) {
      check(`${name}(inputs)`, f.inputs.properties);
      check(`${name}(outputs)`, f.outputs.properties);
    }
    assert.deepEqual(undescribed, []);
  });
});
