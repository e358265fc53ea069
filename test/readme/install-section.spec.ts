import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { REPO } from "../helpers/build";
import { readmeBlocks } from "./readme-blocks";

/**
 * The README's Install section (run by test/release/registries.e2e.spec.ts) shows the same
 * programs `pulumi new ./templates/<lang>` writes, and the version it installs is the one
 * version: a release that bumps package.json without the README fails here.
 */
const version = (JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { version: string }).version;
const blocks = readmeBlocks();
const project = (name: string) => blocks.find((b) => b.kind === "project" && b.name === name)?.text;
const template = (lang: string, file: string) => readFileSync(join(REPO, "templates", lang, file), "utf8");

describe("README: the Install section", () => {
  it("has an install block for TypeScript, Python and Go, and one stack block", () => {
    assert.deepEqual(
      blocks.filter((b) => b.kind === "install").map((b) => b.name),
      ["typescript", "python", "go"],
    );
    assert.equal(blocks.filter((b) => b.kind === "stack").length, 1);
  });

  it("shows the templates' Python and Go programs", () => {
    assert.equal(project("python/__main__.py"), template("python", "__main__.py"));
    assert.equal(project("go/main.go"), template("go", "main.go"));
  });

  it("shows the YAML template's config, resources and outputs", () => {
    const readme = parse(project("yaml/Pulumi.yaml") ?? "") as Record<string, unknown>;
    const tpl = parse(template("yaml", "Pulumi.yaml")) as Record<string, unknown>;
    for (const key of ["config", "resources", "outputs"]) assert.deepEqual(readme[key], tpl[key], key);
  });

  it("runs the Python program in the venv it installs into", () => {
    const py = parse(project("python/Pulumi.yaml") ?? "") as { runtime: { options: { virtualenv: string } } };
    assert.equal(py.runtime.options.virtualenv, "venv");
    assert.match(blocks.find((b) => b.kind === "install" && b.name === "python")!.text, /^\. venv\/bin\/activate/m);
  });

  it(`installs this version (${version}) of the Go module and pins the plugin version in YAML`, () => {
    const go = blocks.find((b) => b.kind === "install" && b.name === "go")!.text;
    assert.match(go, new RegExp(`github\\.com/pulumi-clore/pulumi-clore/sdk/go@v${version.replace(/\./g, "\\.")}\\b`));
    assert.match(project("yaml/Pulumi.yaml") ?? "", new RegExp(`version: ${version.replace(/\./g, "\\.")}\\n`));
  });
});
