import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type JobSummary, appendStepSummary, summaryLine, summaryMarkdown } from "../../provider/job";
import { scratchDir } from "../helpers/scratch-dir";

const done: JobSummary = {
  stackName: "ci-4242-1",
  orderId: 12,
  serverId: 41873,
  gpu: "NVIDIA GeForce RTX 4090",
  attempts: 1,
  durationMs: 185_400,
  cost: { currency: "USD-Blockchain", amount: 0.0123, usd: 0.0123, source: "spend", approximate: false },
  exitCode: 0,
  artifacts: [{ remote: "job/out", local: "artifacts", files: 2, bytes: 1_048_576 + 120 }],
};
const failed: JobSummary = {
  ...done,
  durationMs: 42_000,
  cost: { currency: "CLORE-Blockchain", amount: 12.34, usd: 0.031, source: "spend", approximate: true },
  exitCode: 3,
  artifacts: [],
  error: 'ssh root@127.0.0.1:2222: "python3 train.py | tee log" exited with code 3.',
};

describe("job: the summary", () => {
  it("says in one log line what ran where, for how long, and what it cost", () => {
    assert.equal(
      summaryLine(done),
      "done in 3 min 05 s: order 12 on server 41873 (NVIDIA GeForce RTX 4090), 1 attempt, cost 0.0123 USD-Blockchain; downloaded job/out → artifacts (2 files, 1.0 MB)",
    );
    assert.equal(
      summaryLine(failed),
      "failed (exit code 3) in 42 s: order 12 on server 41873 (NVIDIA GeForce RTX 4090), 1 attempt, cost ≈12.3400 CLORE-Blockchain (≈$0.0310); downloaded nothing",
    );
    assert.match(
      summaryLine({ ...done, serverId: undefined, gpu: undefined, cost: undefined }),
      /order 12 on server \?, 1 attempt, cost \?;/,
    );
  });

  it("is a Markdown table for GitHub's step summary: GPU, server, attempts, duration, cost, exit code, artifacts", () => {
    assert.equal(
      summaryMarkdown(done),
      [
        "### Clore job `ci-4242-1` succeeded",
        "",
        "| GPU | Server | Attempts | Duration | Cost | Exit code | Artifacts |",
        "| --- | --- | ---: | ---: | ---: | ---: | --- |",
        "| NVIDIA GeForce RTX 4090 | 41873 (order 12) | 1 | 3 min 05 s | 0.0123 USD-Blockchain | 0 | `artifacts` (2 files, 1.0 MB) |",
        "",
        "",
      ].join("\n"),
    );
    const md = summaryMarkdown(failed);
    assert.match(md, /^### Clore job `ci-4242-1` failed\n/);
    assert.match(md, /\| 42 s \| ≈12\.3400 CLORE-Blockchain \(≈\$0\.0310\) \| 3 \| none \|\n/);
    // The failure, its pipe escaped so it cannot break the table's markup; ≈ explained.
    assert.match(md, /\n> ssh root@127\.0\.0\.1:2222: "python3 train\.py \\\| tee log" exited with code 3\.\n/);
    assert.match(md, /\n≈: estimated or converted at an inferred rate\.\n/);
  });

  it("is appended to GITHUB_STEP_SUMMARY when it is set, and a file that cannot be written never fails the job", () => {
    const dir = scratchDir("step-summary");
    const file = join(dir, "summary.md");
    const warned: string[] = [];
    assert.equal(
      appendStepSummary(done, {}, (l) => warned.push(l)),
      false,
    );
    assert.equal(
      appendStepSummary(done, { GITHUB_STEP_SUMMARY: file }, (l) => warned.push(l)),
      true,
    );
    assert.equal(
      appendStepSummary(failed, { GITHUB_STEP_SUMMARY: file }, (l) => warned.push(l)),
      true,
    );
    assert.equal(readFileSync(file, "utf8"), summaryMarkdown(done) + summaryMarkdown(failed));
    const missing = join(dir, "no-such-dir", "summary.md");
    assert.equal(
      appendStepSummary(done, { GITHUB_STEP_SUMMARY: missing }, (l) => warned.push(l)),
      false,
    );
    assert.equal(warned.length, 1);
    assert.match(warned[0]!, /^the job summary was not written to GITHUB_STEP_SUMMARY \(ENOENT/);
  });
});
