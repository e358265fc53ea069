import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { buildProgram } from "../../provider/cli/program";
import { REPO } from "../pulumi/harness";
import { WORKFLOWS, type Workflow, readWorkflow } from "./workflow";

/**
 * GitHub Actions cannot run here, so the example workflows are checked as data: every
 * `clore`, `pulumi` and `npx` command they run exists with the flags they pass (the e2e spec
 * test/job/ci-training.e2e.spec.ts then runs the same `run:` scripts against the emulator).
 */
interface Invocation {
  tool: string;
  words: string[];
  flags: string[];
}

/** The commands a `run:` script invokes, found in each pipeline segment (also inside `$(…)`). */
function invocations(script: string): Invocation[] {
  const out: Invocation[] = [];
  const segments = script.replace(/\\\n/g, " ").split(/\n|;|&&|\|\||\||\$\(|\)|\bdo\b|\bthen\b/);
  for (const seg of segments) {
    const tokens = seg.trim().split(/\s+/).filter(Boolean);
    let i = tokens.findIndex((t) => ["npx", "clore", "pulumi"].includes(t));
    if (i === -1) continue;
    if (tokens[i] === "npx") {
      i++;
      while (tokens[i]?.startsWith("-")) i++; // npx's own flags (--no)
    }
    const [tool, ...rest] = tokens.slice(i);
    const words: string[] = [];
    for (const t of rest) {
      if (t.startsWith("-")) break;
      if (!/^["'$]/.test(t)) words.push(t);
    }
    out.push({ tool: tool!, words, flags: rest.filter((t) => t.startsWith("--")).map((t) => t.split("=")[0]!) });
  }
  return out;
}

function scripts(w: Workflow): string[] {
  return Object.values(w.jobs).flatMap((j) => j.steps.flatMap((s) => (s.run ? [s.run] : [])));
}

/** Long options of `clore <words>`, global ones included, from the commander program itself. */
function cloreFlags(words: string[]): string[] {
  const sink = { write: () => true };
  let cmd: Command = buildProgram({ stdout: sink, stderr: sink, stdin: process.stdin, env: {} }, { exitCode: 0 });
  const globals = cmd.options.map((o) => o.long!);
  for (const w of words) {
    const sub = cmd.commands.find((c) => c.name() === w);
    assert.ok(sub, `clore has no command "${words.join(" ")}"`);
    cmd = sub;
  }
  return [...globals, ...cmd.options.map((o) => o.long!)];
}

const pulumiHelp = new Map<string, string>();
function pulumiFlags(words: string[]): string {
  const key = words.join(" ");
  if (!pulumiHelp.has(key))
    pulumiHelp.set(
      key,
      execFileSync("pulumi", [...words, "--help"], {
        encoding: "utf8",
        env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" },
      }),
    );
  return pulumiHelp.get(key)!;
}

describe("ci-training: the GitHub Actions workflows", () => {
  const train = readWorkflow("train.yml");
  const sweep = readWorkflow("sweep-orphans.yml");

  it("run only clore commands and flags that exist", () => {
    const all = [...scripts(train), ...scripts(sweep)].flatMap(invocations).filter((c) => c.tool === "clore");
    assert.deepEqual(
      all.map((c) => c.words),
      [["job", "finish"], ["orphans"]],
    );
    const [finish, orphans] = all;
    assert.deepEqual(finish!.flags.sort(), ["--cwd", "--if-done", "--into", "--wait"]);
    const finishKnown = cloreFlags(["job", "finish"]);
    assert.deepEqual(
      finish!.flags.filter((f) => !finishKnown.includes(f)),
      [],
    );
    const sweepScript = scripts(sweep).join("\n");
    // The states go in through an array: `states+=(--state "$f")`.
    const passed = [...orphans!.flags, ...[...sweepScript.matchAll(/\+=\((--[\w-]+)/g)].map((m) => m[1]!)];
    assert.deepEqual(passed.sort(), ["--cancel", "--expired", "--state", "--yes"]);
    const known = cloreFlags(["orphans"]);
    assert.deepEqual(
      passed.filter((f) => !known.includes(f)),
      [],
    );
  });

  it("run only pulumi commands and flags that exist in the pulumi CLI", function () {
    this.timeout(60_000);
    const calls = [...scripts(train), ...scripts(sweep)].flatMap(invocations).filter((c) => c.tool === "pulumi");
    assert.deepEqual(
      calls.map((c) => c.words.join(" ")),
      ["stack ls", "stack ls", "stack export"],
    );
    for (const c of calls) {
      const help = pulumiFlags(c.words);
      assert.deepEqual(
        c.flags.filter((f) => !new RegExp(`\\s${f}[\\s=]`).test(help)),
        [],
        `pulumi ${c.words.join(" ")}`,
      );
    }
  });

  it("run the example's CI script with a ts-node that the package's users have", () => {
    const calls = scripts(train)
      .flatMap(invocations)
      .filter((c) => c.tool === "ts-node");
    assert.deepEqual(
      calls.map((c) => c.words),
      [["examples/ci-training/run.ts"]],
    );
    assert.ok(existsSync(join(REPO, "examples/ci-training/run.ts")));
    assert.ok(existsSync(join(REPO, "node_modules/.bin/ts-node")));
  });

  it("share one concurrency group that never cancels a running job, so the sweeper runs between jobs", () => {
    assert.deepEqual(train.concurrency, { group: "clore-gpu", "cancel-in-progress": false });
    assert.deepEqual(sweep.concurrency, train.concurrency);
  });

  it("sweep on a schedule and train for less time than the stack's ttl", () => {
    assert.match(String((sweep.on.schedule as { cron: string }[])[0]!.cron), /^\*\/\d+ \* \* \* \*$/);
    const job = train.jobs.train!;
    const step = job.steps.find((s) => s.run?.includes("run.ts"))!;
    assert.equal(step.env!.CLORE_TTL, "2h");
    assert.ok(
      job["timeout-minutes"]! < 120,
      "a run killed at its timeout must leave an order whose ttl ends soon after",
    );
  });

  it("take their credentials from secrets, each documented in the file's header", () => {
    for (const file of ["train.yml", "sweep-orphans.yml"]) {
      const text = readFileSync(join(WORKFLOWS, file), "utf8");
      const secrets = [...new Set([...text.matchAll(/\$\{\{\s*secrets\.(\w+)\s*\}\}/g)].map((m) => m[1]!))].sort();
      assert.deepEqual(secrets, ["CLORE_API_KEY", "PULUMI_BACKEND_URL", "PULUMI_CONFIG_PASSPHRASE"], file);
    }
    const header = readFileSync(join(WORKFLOWS, "train.yml"), "utf8").split("\nname:")[0]!;
    for (const s of ["CLORE_API_KEY", "PULUMI_BACKEND_URL", "PULUMI_CONFIG_PASSPHRASE"])
      assert.match(header, new RegExp(s));
  });
});
