import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { type Emulator, startEmulator } from "../../provider/emulator";
import { type JobOptions, exitCodeFor, runJob } from "../../provider/job";
import { JobSpendCapError, formatCost } from "../../provider/sdk";
import { ensureBuilt } from "../helpers/build";
import { type FakeRepo, fakeRepo, readWorkflow, repoEnv, runStep, runSteps } from "./workflow";

const DAY_MS = 86_400_000;
/** 4x A100 at $48/day = $2/h (USD-Blockchain: the spend is in dollars). */
const SERVER = { id: 60101, usdPerDay: 48, gpu: "4x NVIDIA A100 80GB PCIe" };

/**
 * What a job cost, against the emulator in real time (timeScale 1: its spend grows with the
 * clock runJob's spend cap reads): the result's cost is the emulator's own spend figure, the
 * GitHub step summary is written in success and failure, and a spend cap stops the job in time.
 */
describe("job: what it cost", function () {
  this.timeout(300_000);
  let emu: Emulator;
  let repo: FakeRepo;
  let env: Record<string, string>;
  const project = () => join(repo.root, "examples/ci-training");
  const logged: string[] = [];
  const job = (stackName: string, extra: Partial<JobOptions> = {}): JobOptions => ({
    workDir: project(),
    stackName,
    config: { ttl: "10m", serverId: String(SERVER.id) },
    commands: ["true"],
    pulumiEnv: env,
    log: (line, source) => logged.push(`${source}: ${line}`),
    ...extra,
  });

  before(async () => {
    await ensureBuilt(); // the example's program runs dist/
    // Real time, no boot wait; the API's limits as fast as the test's clients send.
    emu = await startEmulator({ port: 0, timeScale: 1, bootDelayMs: 0, generalIntervalMs: 100, createIntervalMs: 400 });
    repo = fakeRepo();
    env = repoEnv(repo, emu);
  });
  beforeEach(() => {
    logged.length = 0;
  });
  afterEach(function () {
    if (this.currentTest?.state === "failed") console.error(logged.join("\n"));
  });
  after(async () => {
    await emu?.close();
    repo?.cleanup();
  });

  it("a finished job: its result and last log line say server, GPU, attempts, duration and a cost equal to the emulator's spend", async () => {
    const summaryFile = join(repo.root, "summary-ok.md");
    process.env.GITHUB_STEP_SUMMARY = summaryFile;
    const r = await runJob(
      job("cost-ok", {
        commands: ["mkdir -p out && echo done > out/result.txt && sleep 3"],
        download: [{ remote: "out", local: join(repo.root, "cost-ok-out") }],
      }),
    ).finally(() => delete process.env.GITHUB_STEP_SUMMARY);

    const order = emu.allOrders().find((o) => o.id === r.orderId)!;
    assert.equal(order.state, "cancelled");
    assert.deepEqual([r.serverId, r.gpu, r.attempts], [SERVER.id, SERVER.gpu, 1]);
    assert.deepEqual([r.cost?.currency, r.cost?.source, r.cost?.approximate], ["USD-Blockchain", "spend", false]);
    assert.equal(r.cost!.usd, r.cost!.amount);
    // The cost is the spend of one of the emulator's my_orders answers before the cancel: the
    // final spend less the price for the time from that answer to the cancel (within the few
    // ms between a request's arrival and its answer).
    const reads = emu.requests.filter((q) => q.endpoint === "my_orders" && q.time <= order.endedAt!);
    const atRead = reads.map((q) => order.spend - (SERVER.usdPerDay * (order.endedAt! - q.time)) / DAY_MS);
    const withinMs = (SERVER.usdPerDay * 100) / DAY_MS;
    assert.ok(
      atRead.some((s) => Math.abs(s - r.cost!.amount!) <= withinMs),
      `cost ${r.cost!.amount} is none of the emulator's figures ${atRead.join(", ")}`,
    );
    assert.ok(r.cost!.amount! > 0 && r.cost!.amount! < order.spend);
    // Spend bills while it runs: at least the 3 s the command slept.
    assert.ok(r.cost!.amount! >= (SERVER.usdPerDay * 3000) / DAY_MS, String(r.cost!.amount));
    assert.deepEqual(
      r.artifacts.map((a) => [a.remote, a.files]),
      [["out", 1]],
    );

    const last = logged.at(-1)!;
    assert.match(
      last,
      new RegExp(
        `^job: done in (\\d+ min )?\\d+ s: order ${r.orderId} on server ${SERVER.id} \\(4x NVIDIA A100 80GB PCIe\\), 1 attempt, cost `,
      ),
    );
    assert.ok(last.includes(`cost ${formatCost(r.cost)}; downloaded out → `), last);

    const md = readFileSync(summaryFile, "utf8");
    assert.match(md, /^### Clore job `cost-ok` succeeded\n/);
    assert.ok(
      md.includes(`| ${SERVER.gpu} | ${SERVER.id} (order ${r.orderId}) | 1 | `) &&
        md.includes(` | ${formatCost(r.cost)} | 0 | \`${join(repo.root, "cost-ok-out")}\` (1 files, 0.0 MB) |`),
      md,
    );
    assert.deepEqual(emu.activeOrders(), []);
  });

  it("a failed step on GitHub Actions: the summary file still gets the table, with the exit code", async () => {
    const train = readWorkflow("train.yml");
    const trainStep = runSteps(train).find((s) => s.run!.includes("run.ts"))!;
    const summaryFile = join(repo.root, "summary-failed.md");
    const r = await runStep(
      repo,
      train,
      trainStep,
      { ...env, GITHUB_STEP_SUMMARY: summaryFile, EPOCHS: "3", EPOCH_SECONDS: "0.2", TRAIN_ARGS: "--fail-at-epoch 2" },
      { github: { run_id: "5151" }, override: { CLORE_SERVER_ID: String(SERVER.id) } },
    );
    assert.equal(r.code, 3, r.stderr);
    assert.match(
      r.stderr,
      /\[clore-job\] failed \(exit code 3\) in (\d+ min )?\d+ s: order \d+ on server 60101 \(4x NVIDIA A100 80GB PCIe\), 1 attempt, cost \d+\.\d{4} USD-Blockchain; downloaded /,
    );
    const md = readFileSync(summaryFile, "utf8");
    assert.match(md, /^### Clore job `ci-5151-1` failed\n/);
    assert.match(
      md,
      /\n\| 4x NVIDIA A100 80GB PCIe \| 60101 \(order \d+\) \| 1 \| (\d+ min )?\d+ s \| \d+\.\d{4} USD-Blockchain \| 3 \| /,
    );
    assert.match(md, /\n> ssh root@127\.0\.0\.1:\d+: "python3 train\.py --fail-at-epoch 2" exited with code 3\./);
    assert.deepEqual(emu.activeOrders(), []);
  });

  it("a spend cap stops the job before the order passes it, downloads what there is, and leaves no order", async () => {
    // $48/day: 75 s of running. The cap keeps 30 s in hand (the up's time if longer), so the
    // job is stopped some 40 s in, well before the 300 ticks it would print.
    const capUsd = (SERVER.usdPerDay * 75_000) / DAY_MS;
    const out = join(repo.root, "capped-out");
    rmSync(out, { recursive: true, force: true });
    const e = await runJob(
      job("capped", {
        commands: [
          "mkdir -p out && echo partial > out/checkpoint.txt && for i in $(seq 1 300); do echo tick $i; sleep 1; done",
        ],
        download: [{ remote: "out", local: out }],
        spendCapUsd: capUsd,
      }),
    ).catch((x: unknown) => x);
    assert.ok(e instanceof JobSpendCapError, String(e));
    assert.equal(e.code, "CLORE_JOB_SPEND_CAP");
    assert.equal(exitCodeFor(e), 1);
    const order = emu.allOrders().find((o) => o.id === e.orderId)!;
    assert.equal(order.state, "cancelled");
    // Stopped in time: the order's whole spend, destroy included, is under the cap.
    assert.ok(order.spend < capUsd, `spent ${order.spend} of ${capUsd}`);
    assert.ok(e.spentUsd! > 0 && e.spentUsd! <= order.spend);
    assert.match(
      e.message,
      new RegExp(
        `^the job was stopped before passing its spend cap of \\$0\\.0417 \\(spendCapUsd\\): order ${order.id} had spent \\$0\\.0\\d{3}\\. Downloaded: out → ${out.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")} \\(1 files, 0\\.0 MB\\)\\. The stack was destroyed`,
      ),
    );
    const ticks = logged.filter((l) => /^stdout: tick \d+$/.test(l));
    assert.ok(ticks.length >= 1 && ticks.length < 120, `${ticks.length} ticks`);
    assert.ok(
      logged.some((l) => /^job: spend cap \$0\.0417 nearly reached \(≈\$0\.0\d{3} spent\): stopping the job$/.test(l)),
    );
    assert.equal(readFileSync(join(out, "checkpoint.txt"), "utf8"), "partial\n");
    assert.match(logged.at(-1)!, /^job: failed \(exit code 1\) in (\d+ min )?\d+ s: order \d+ on server 60101 /);
    assert.deepEqual(emu.activeOrders(), []);
  });
});
