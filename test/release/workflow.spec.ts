import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { REPO } from "../helpers/build";

/**
 * The release workflow cannot run here, so this checks what it would run: the trigger, every
 * `run:` step is one of the repository's scripts with arguments it accepts, and every tool
 * command those scripts publish with exists with the flags they pass (its own --help).
 */
interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, string>;
  env?: Record<string, string>;
}
const workflow = parse(readFileSync(join(REPO, ".github/workflows/release.yml"), "utf8")) as {
  on: { push: { tags: string[] } };
  permissions: Record<string, string>;
  jobs: Record<string, { steps: Step[] }>;
};
const steps = Object.values(workflow.jobs).flatMap((j) => j.steps);
const runs = steps.flatMap((s) => (s.run ? [s.run.trim()] : []));
const version = (JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { version: string }).version;

/** The words of a one-line shell command, quotes removed ($VARS kept as written). */
function words(cmd: string): string[] {
  return [...cmd.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

/** The long options of a script line such as `twine upload --a "$x" --b y`. */
function flags(line: string): string[] {
  return words(line).filter((w) => w.startsWith("--"));
}

const PUBLISH = readFileSync(join(REPO, "scripts/publish.sh"), "utf8");
/** The lines of publish.sh that run `<tool> <subcommand>` (continuations joined). */
function publishLines(prefix: string): string[] {
  return PUBLISH.replace(/\\\n\s*/g, " ")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.startsWith(prefix));
}

describe("the release workflow (.github/workflows/release.yml)", () => {
  it("runs on a version tag and may write the release", () => {
    assert.deepEqual(workflow.on.push.tags, ["v*"]);
    assert.equal(workflow.permissions.contents, "write");
  });

  it("runs only the repository's scripts, each of which exists", () => {
    assert.ok(runs.length >= 3);
    for (const r of runs) {
      const [bash, script] = words(r);
      assert.equal(bash, "bash", r);
      assert.ok(existsSync(join(REPO, script!)), `${script} does not exist`);
    }
  });

  it("builds every part release.sh knows, the plugin and checksums it attaches included", () => {
    const line = runs.find((r) => r.startsWith("bash scripts/release.sh"));
    assert.ok(line);
    const parts = words(line).slice(2);
    // An unknown part fails before anything is built, naming the parts there are.
    const r = spawnSync("bash", ["scripts/release.sh", "no-such-part"], { cwd: REPO, encoding: "utf8" });
    assert.equal(r.status, 2);
    const known = /\(([^)]*)\)/.exec(r.stderr)![1]!.split(", ");
    assert.deepEqual([...parts].sort(), [...known].sort());
    const attach = steps.find((s) => s.uses?.startsWith("softprops/action-gh-release@"));
    assert.match(attach!.with!.files!, /release\/pulumi-resource-clore-v\*\.tar\.gz/);
    assert.match(attach!.with!.files!, /release\/pulumi-resource-clore-v\*-checksums\.txt/);
    // A Pulumi YAML program's package declaration (README: "put it beside Pulumi.yaml").
    assert.match(attach!.with!.files!, /release\/clore-\*\.yaml/);
    assert.equal(attach!.with!.fail_on_unmatched_files, true, "a missing asset fails the release");
  });

  it("builds the plugin for every target: nothing narrows CLORE_PLUGIN_TARGETS", () => {
    // release.sh's default is every target it can build (the README lists them).
    assert.doesNotMatch(JSON.stringify(workflow), /CLORE_PLUGIN_TARGETS/);
  });

  it("publishes with flags publish.sh takes: the tag, npm, PyPI and the Go module tag", () => {
    const line = runs.find((r) => r.startsWith("bash scripts/publish.sh"));
    assert.ok(line);
    const help = execFileSync("bash", ["scripts/publish.sh", "--help"], { cwd: REPO, encoding: "utf8" });
    for (const f of flags(line)) assert.match(help, new RegExp(`^\\s*${f} `, "m"), `publish.sh --help lists ${f}`);
    assert.deepEqual(flags(line).sort(), ["--go-tag", "--npm-registry", "--pypi-url", "--tag"]);
    // The same arguments parse (a wrong tag is the first thing checked, before any upload).
    const args = words(line)
      .slice(2)
      .map((w) => (w === "$GITHUB_REF_NAME" ? "v0.0.0-wrong" : w));
    const r = spawnSync("bash", ["scripts/publish.sh", ...args], { cwd: REPO, encoding: "utf8" });
    assert.equal(r.status, 2);
    assert.match(r.stderr, new RegExp(`--tag 'v0.0.0-wrong' is not v${version.replace(/\./g, "\\.")}`));
    // The credentials the tools read, from the repository's secrets.
    const env = steps.find((s) => s.run === line)!.env!;
    assert.match(env.NODE_AUTH_TOKEN!, /^\$\{\{ secrets\.NPM_TOKEN \}\}$/);
    assert.match(env.TWINE_PASSWORD!, /^\$\{\{ secrets\.PYPI_TOKEN \}\}$/);
    assert.equal(env.TWINE_USERNAME, "__token__");
  });

  it("publish.sh's npm publish and twine upload take the flags it passes", () => {
    const npm = publishLines("npm publish ");
    const twine = publishLines("twine upload ");
    assert.equal(npm.length, 1);
    assert.equal(twine.length, 1);
    const npmHelp = execFileSync("npm", ["publish", "--help"], { encoding: "utf8" });
    // --registry is one of npm's config keys, which every command takes.
    const npmConfig = execFileSync("npm", ["config", "ls", "-l"], { encoding: "utf8" });
    for (const f of flags(npm[0]!)) {
      const key = f.slice(2);
      assert.ok(npmHelp.includes(`--${key}`) || new RegExp(`^${key} = `, "m").test(npmConfig), `npm publish ${f}`);
    }
    const twineHelp = execFileSync("twine", ["upload", "--help"], { encoding: "utf8" });
    for (const f of flags(twine[0]!)) assert.ok(twineHelp.includes(f), `twine upload ${f}`);
  });
});
