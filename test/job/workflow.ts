// The example GitHub Actions workflows as data, and a local stand-in for a runner that executes
// their `run:` steps: the e2e spec runs the same scripts a runner would.
import { spawn } from "node:child_process";
import { chmodSync, cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { scratchDir } from "../helpers/scratch-dir";
import { FAST_ENV, REPO } from "../pulumi/harness";

export const WORKFLOWS = join(REPO, "examples/ci-training/workflows");

export interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string>;
  "working-directory"?: string;
  with?: Record<string, unknown>;
}

export interface Workflow {
  name: string;
  on: Record<string, unknown>;
  concurrency?: { group: string; "cancel-in-progress"?: boolean };
  jobs: Record<string, { "runs-on": string; "timeout-minutes"?: number; env?: Record<string, string>; steps: Step[] }>;
}

export function readWorkflow(file: string): Workflow {
  return parse(readFileSync(join(WORKFLOWS, file), "utf8")) as Workflow;
}

/** The only job of a workflow, and its `run:` steps (without `npm ci`: the fake repo's packages come from this checkout). */
export function runSteps(w: Workflow): Step[] {
  const [job] = Object.values(w.jobs);
  return job!.steps.filter((s) => s.run !== undefined && s.run.trim() !== "npm ci");
}

/** A user's repository with this package installed: the example copied in, `clore` and `ts-node` on node_modules/.bin. */
export interface FakeRepo {
  root: string;
  runnerTemp: string;
  backend: string;
  cleanup(): void;
}

export function fakeRepo(): FakeRepo {
  // Under the checkout, so the example's imports resolve pulumi-clore and @pulumi/pulumi from its node_modules.
  const root = scratchDir("ci-repo");
  cpSync(join(REPO, "examples/ci-training"), join(root, "examples/ci-training"), { recursive: true });
  writeFileSync(join(root, "package.json"), JSON.stringify({ name: "ci-user", private: true }));
  const bin = join(root, "node_modules/.bin");
  mkdirSync(bin, { recursive: true });
  writeFileSync(
    join(bin, "clore"),
    `#!/bin/sh\nexec "${process.execPath}" "${join(REPO, "dist/provider/cli/main.js")}" "$@"\n`,
  );
  chmodSync(join(bin, "clore"), 0o755);
  symlinkSync(join(REPO, "node_modules/.bin/ts-node"), join(bin, "ts-node"));
  for (const d of ["runner-temp", "backend", "home"]) mkdirSync(join(root, d));
  return {
    root,
    runnerTemp: join(root, "runner-temp"),
    backend: join(root, "backend"),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

/**
 * The environment a job's steps and runJob see in `repo`: its bin dir first, its own home,
 * backend and caches, the emulator's key and address, and the test-speed limits.
 */
export function repoEnv(repo: FakeRepo, emu: { apiKey: string; url: string }): Record<string, string> {
  return {
    PATH: `${join(repo.root, "node_modules/.bin")}:${process.env.PATH}`,
    HOME: join(repo.root, "home"),
    ...(process.env.PULUMI_HOME ? { PULUMI_HOME: process.env.PULUMI_HOME } : {}),
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_NODEJS_TRANSPILE_ONLY: "true",
    PULUMI_BACKEND_URL: `file://${repo.backend}`,
    PULUMI_CONFIG_PASSPHRASE: "ci-passphrase",
    CLORE_API_KEY: emu.apiKey,
    CLORE_BASE_URL: emu.url,
    CLORE_CACHE_DIR: join(repo.root, "home/cache"),
    CLORE_RATE_LIMIT_DIR: join(repo.root, "home/ledger"),
    ...FAST_ENV,
  };
}

/** `${{ secrets.X }}` → env X, `${{ github.x }}` → github[x]: the expressions the example workflows use. */
export function expand(text: string, env: NodeJS.ProcessEnv, github: Record<string, string>): string {
  return text.replace(
    /\$\{\{\s*(secrets|github)\.(\w+)\s*\}\}/g,
    (_, scope: string, key: string) => (scope === "secrets" ? env[key] : github[key]) ?? "",
  );
}

export interface StepRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout lines with the ms (since the step started) at which each arrived. */
  lines: { line: string; at: number }[];
  pid: number;
}

export interface StepOptions {
  /** The `github` context (run_id, run_attempt). */
  github?: Record<string, string>;
  /** Over the workflow's own env values, e.g. a short CLORE_TTL. */
  override?: NodeJS.ProcessEnv;
  onSpawn?: (pid: number) => void;
  /** Each stdout line as it arrives. */
  onLine?: (line: string) => void;
}

/**
 * Run one `run:` step with bash, as a runner does (job env, then step env, expressions
 * expanded; cwd = the repo or the step's working-directory).
 */
export function runStep(
  repo: FakeRepo,
  w: Workflow,
  step: Step,
  env: NodeJS.ProcessEnv,
  opts: StepOptions = {},
): Promise<StepRun> {
  const github = { run_id: "4242", run_attempt: "1", ...opts.github };
  const [job] = Object.values(w.jobs);
  const stepEnv = Object.fromEntries(
    Object.entries({ ...job!.env, ...step.env }).map(([k, v]) => [k, expand(String(v), env, github)]),
  );
  const cwd = step["working-directory"] ? join(repo.root, step["working-directory"]) : repo.root;
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn("bash", ["-e", "-c", step.run!], {
      cwd,
      env: { ...env, ...stepEnv, ...opts.override, RUNNER_TEMP: repo.runnerTemp },
      detached: true,
    });
    opts.onSpawn?.(child.pid!);
    let stdout = "";
    let stderr = "";
    let partial = "";
    const lines: StepRun["lines"] = [];
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
      const parts = (partial + d).split("\n");
      partial = parts.pop()!;
      for (const line of parts) {
        lines.push({ line, at: Date.now() - started });
        opts.onLine?.(line);
      }
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr, lines, pid: child.pid! }));
  });
}
