import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { PLUGIN_DOWNLOAD_URL } from "../../provider/plugin/package-schema";
import { REPO } from "../helpers/build";

/**
 * The `pulumi new` templates: what `pulumi new ./templates/<lang>` asks for and writes. The
 * versions they pin come from the one version (package.json): a release that bumps it without
 * the templates fails here.
 */
const pkg = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as {
  version: string;
  peerDependencies: Record<string, string>;
};
const LANGS = ["typescript", "python", "yaml", "go"] as const;
const read = (lang: string, file: string) => readFileSync(join(REPO, "templates", lang, file), "utf8");

interface Project {
  name: string;
  description: string;
  runtime: string | { name: string };
  template: { description: string; config: Record<string, { secret?: boolean; description?: string }> };
}

describe("pulumi new templates", () => {
  for (const lang of LANGS) {
    describe(lang, () => {
      const project = parse(read(lang, "Pulumi.yaml")) as Project;

      it("names the project and description with pulumi new's placeholders", () => {
        assert.equal(project.name, "${PROJECT}");
        assert.equal(project.description, "${DESCRIPTION}");
        assert.match(project.template.description, /^Rent .*Clore/, "the default description, which --yes takes");
      });

      it("asks for the API key and the ssh password as secrets", () => {
        assert.equal(project.template.config["clore:apiKey"]?.secret, true);
        assert.equal(project.template.config.sshPassword?.secret, true);
      });

      it("runs the language's runtime", () => {
        const runtime = typeof project.runtime === "string" ? project.runtime : project.runtime.name;
        assert.equal(runtime, { typescript: "nodejs", python: "python", yaml: "yaml", go: "go" }[lang]);
      });
    });
  }

  it("typescript depends on this version of pulumi-clore and the same @pulumi/pulumi range as its peer", () => {
    const p = JSON.parse(read("typescript", "package.json")) as { dependencies: Record<string, string> };
    assert.equal(p.dependencies["pulumi-clore"], pkg.version);
    assert.equal(p.dependencies["@pulumi/pulumi"], pkg.peerDependencies["@pulumi/pulumi"]);
  });

  it("python requires this version of pulumi-clore", () => {
    assert.match(
      read("python", "requirements.txt"),
      new RegExp(`^pulumi-clore==${pkg.version.replace(/\./g, "\\.")}$`, "m"),
    );
  });

  it("go requires this version of the Go SDK module", () => {
    assert.match(
      read("go", "go.mod"),
      new RegExp(`^\\s*github\\.com/pulumi-clore/pulumi-clore/sdk/go v${pkg.version.replace(/\./g, "\\.")}$`, "m"),
    );
  });

  it("yaml pins this plugin version and downloads it from the release", () => {
    const program = parse(read("yaml", "Pulumi.yaml")) as {
      resources: Record<string, { options?: { version?: string; pluginDownloadURL?: string } }>;
    };
    for (const [name, r] of Object.entries(program.resources)) {
      assert.equal(r.options?.version, pkg.version, name);
      assert.equal(r.options?.pluginDownloadURL, PLUGIN_DOWNLOAD_URL, name);
    }
  });

  it("every program rents with the sticky select and exports the ssh command", () => {
    const programs = { typescript: "index.ts", python: "__main__.py", yaml: "Pulumi.yaml", go: "main.go" };
    for (const [lang, file] of Object.entries(programs)) {
      const text = read(lang, file);
      assert.match(text, /select/i, `${lang}: find-and-rent with select`);
      assert.doesNotMatch(text, /getMarketplace|GetMarketplace|get_marketplace/, `${lang}: no pick from a live list`);
      assert.match(text, /ssh_command|sshCommand|SshCommand/, `${lang}: exports the ssh command`);
    }
  });
});
