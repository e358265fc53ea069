// Smoke test of the toolchain that scripts/install-tools.sh builds: the real
// `pulumi` CLI + Node.js language host + @pulumi/pulumi dynamic provider,
// against a throwaway local file backend. Needs `. scripts/env.sh` to have
// been sourced (pulumi, node 24 and the dynamic-provider plugin on PATH) and
// the repo's node_modules installed. Self-contained on purpose.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const repoRoot = path.resolve(__dirname, "..", "..");

// A JS program with one dynamic resource; its provider writes a marker file on
// create and removes it on delete, so we can see the provider really ran.
const program = `
const pulumi = require("@pulumi/pulumi");
const fs = require("fs");
const marker = process.env.SMOKE_MARKER;
const provider = {
    async create(inputs) {
        fs.writeFileSync(inputs.marker, inputs.value);
        return { id: "smoke-1", outs: inputs };
    },
    async diff(id, olds, news) {
        return { changes: olds.value !== news.value || olds.marker !== news.marker };
    },
    async delete(id, props) {
        fs.rmSync(props.marker, { force: true });
    },
};
class Thing extends pulumi.dynamic.Resource {
    constructor(name, props, opts) {
        super(provider, name, { value: undefined, ...props }, opts);
    }
}
const thing = new Thing("thing", { value: "hello", marker });
exports.thingValue = thing.value;
`;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

describe("pulumi toolchain smoke test", function () {
  // First run of a Go-built CLI + node startup; generous but bounded.
  this.timeout(5 * 60 * 1000);

  let dir: string;
  let env: NodeJS.ProcessEnv;
  let marker: string;

  function pulumi(...args: string[]): Run {
    const r = spawnSync("pulumi", [...args, "--non-interactive", "--color", "never"], {
      cwd: path.join(dir, "project"),
      env,
      encoding: "utf8",
      timeout: 4 * 60 * 1000,
    });
    if (r.error) {
      throw r.error;
    }
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  function ok(...args: string[]): string {
    const r = pulumi(...args);
    assert.equal(r.status, 0, `pulumi ${args.join(" ")} failed:\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  }

  function dynamicResources(): unknown[] {
    const state = JSON.parse(ok("stack", "export"));
    const resources: { type: string }[] = state.deployment.resources ?? [];
    return resources.filter((r) => r.type === "pulumi-nodejs:dynamic:Resource");
  }

  before(() => {
    const which = spawnSync("pulumi", ["version"], { encoding: "utf8" });
    if (which.error || which.status !== 0) {
      throw new Error("`pulumi` not on PATH: run scripts/install-tools.sh and `. scripts/env.sh` first");
    }
    const sdk = path.join(repoRoot, "node_modules", "@pulumi", "pulumi");
    assert.ok(fs.existsSync(sdk), `${sdk} missing: run npm install in the repo`);

    dir = fs.mkdtempSync(path.join(os.tmpdir(), "clore-pulumi-smoke-"));
    const project = path.join(dir, "project");
    fs.mkdirSync(project);
    fs.writeFileSync(path.join(project, "Pulumi.yaml"), "name: clore-smoke\nruntime: nodejs\nmain: index.js\n");
    fs.writeFileSync(path.join(project, "package.json"), '{"name":"clore-smoke","private":true}\n');
    fs.writeFileSync(path.join(project, "index.js"), program);
    // The program (and the dynamic-provider plugin, which resolves
    // @pulumi/pulumi from its cwd) use the repo's installed packages.
    fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(project, "node_modules"), "dir");
    fs.mkdirSync(path.join(dir, "state"));
    fs.mkdirSync(path.join(dir, "home"));
    marker = path.join(dir, "marker.txt");

    env = {
      ...process.env,
      PULUMI_BACKEND_URL: `file://${path.join(dir, "state")}`,
      PULUMI_HOME: path.join(dir, "home"),
      PULUMI_CONFIG_PASSPHRASE: "smoke-test",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      SMOKE_MARKER: marker,
    };
    ok("stack", "init", "smoke");
  });

  after(() => {
    if (dir) {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("up creates the dynamic resource", () => {
    ok("up", "--yes", "--skip-preview");
    assert.equal(dynamicResources().length, 1);
    assert.equal(fs.readFileSync(marker, "utf8"), "hello");
    const outputs = JSON.parse(ok("stack", "output", "--json"));
    assert.equal(outputs.thingValue, "hello");
  });

  it("preview then shows no changes", () => {
    ok("preview", "--expect-no-changes");
  });

  it("destroy removes it", () => {
    ok("destroy", "--yes", "--skip-preview");
    assert.equal(dynamicResources().length, 0);
    assert.equal(fs.existsSync(marker), false);
  });
});
