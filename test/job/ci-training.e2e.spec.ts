import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { type Emulator, startEmulator } from "../../provider/emulator";
import { type JobOptions, exitCodeFor, runJob } from "../../provider/job";
import { ensureBuilt } from "../helpers/build";
import { hasRedisServer, slotRecord, startRedis } from "../helpers/redis";
import { FAST_EMULATOR, ORDER_TYPE, type StackExport, resourcesOfType, run } from "../pulumi/harness";
import { processTree, waitFor } from "../reliability/helpers";
import {
  type FakeRepo,
  type Step,
  type StepOptions,
  type Workflow,
  fakeRepo,
  readWorkflow,
  repoEnv,
  runStep,
  runSteps,
} from "./workflow";

/**
 * examples/ci-training on the real Pulumi engine against the emulator, whose servers run the
 * job for real (sshd, /bin/sh, SFTP): the workflow's own `run:` steps, executed as a runner
 * would, and runJob in-process for the SSH failure cases. Every test ends with no order billing.
 */
describe("ci-training: the training job on an ephemeral stack", function () {
  this.timeout(400_000);
  let emu: Emulator;
  let repo: FakeRepo;
  let env: NodeJS.ProcessEnv;
  const train = readWorkflow("train.yml");
  const sweep = readWorkflow("sweep-orphans.yml");
  const trainStep = runSteps(train).find((s) => s.run!.includes("run.ts"))!;
  const project = () => join(repo.root, "examples/ci-training");

  before(async () => {
    await ensureBuilt(); // the CLI and the example's program run dist/
    emu = await startEmulator({ ...FAST_EMULATOR, bootDelayMs: 0 });
    repo = fakeRepo();
    env = repoEnv(repo, emu);
  });
  afterEach(function () {
    if (this.currentTest?.state === "failed")
      console.error(`orders: ${JSON.stringify(emu.activeOrders().map((o) => o.id))}`);
  });
  after(async () => {
    await emu?.close();
    repo?.cleanup();
  });

  const stacks = async () =>
    JSON.parse((await run("pulumi", ["stack", "ls", "--output", "json"], { cwd: project(), env })).stdout || "[]") as {
      name: string;
    }[];
  const step = (w: Workflow, s: Step, extra: NodeJS.ProcessEnv = {}, opts: StepOptions = {}) =>
    runStep(repo, w, s, { ...env, ...extra }, opts);

  it("runs the workflow's train step: live log lines in order, artifacts byte-identical, stack destroyed, no order left", async () => {
    const r = await step(train, trainStep, { EPOCHS: "3", EPOCH_SECONDS: "1.5" });
    assert.equal(r.code, 0, r.stderr);
    const epochs = r.lines.filter((l) => l.line.startsWith("epoch "));
    assert.deepEqual(
      epochs.map((l) => l.line),
      ["epoch 1/3 loss=1.0000", "epoch 2/3 loss=0.5000", "epoch 3/3 loss=0.2500"],
    );
    // Live: each epoch line reached the CI log when it was printed, not all at the end.
    assert.ok(
      epochs[2]!.at - epochs[0]!.at >= 2000,
      `epoch lines arrived ${epochs.map((l) => l.at).join(", ")} ms into the step`,
    );
    assert.match(r.stderr, /\[clore-job\] \$ python3 train\.py\n/);
    assert.match(
      r.stderr,
      /\[clore-job\] done in (\d+ min )?\d+ s: order \d+ on server \d+ \(.+\), 1 attempt, cost \d+\.\d{4} USD-Blockchain; downloaded job\/out → artifacts \(2 files, 1\.0 MB\)\n\[clore-job\] stack ci-4242-1 destroyed\n/,
    );

    const out = join(repo.root, "artifacts"); // the workflow's ARTIFACTS_DIR
    assert.deepEqual(readdirSync(out).sort(), ["metrics.json", "model.bin"]);
    const metrics = JSON.parse(readFileSync(join(out, "metrics.json"), "utf8")) as {
      model_sha256: string;
      job: string;
      loss: number;
    };
    const model = readFileSync(join(out, "model.bin"));
    assert.deepEqual(
      [model.length, createHash("sha256").update(model).digest("hex")],
      [1_048_576, metrics.model_sha256],
    );
    assert.deepEqual([metrics.job, metrics.loss], ["ci-4242-1", 0.25]);

    assert.deepEqual(emu.activeOrders(), []);
    assert.equal(emu.allOrders().at(-1)!.state, "cancelled");
    assert.deepEqual(await stacks(), []);
  });

  it("fails with the job's exit code (3) and its last stderr lines, and still destroys the stack", async () => {
    const r = await step(
      train,
      trainStep,
      { EPOCHS: "3", EPOCH_SECONDS: "0.2", TRAIN_ARGS: "--fail-at-epoch 2" },
      { github: { run_id: "4243" } },
    );
    assert.equal(r.code, 3, r.stderr);
    assert.deepEqual(
      r.lines.filter((l) => l.line.startsWith("epoch ")).map((l) => l.line),
      ["epoch 1/3 loss=1.0000"],
    );
    assert.match(
      r.stderr,
      /\[clore-job\] failed: ssh root@127\.0\.0\.1:\d+: "python3 train\.py --fail-at-epoch 2" exited with code 3\.\nLast lines of stderr:\n {2}epoch 2\/3: loss is NaN, stopping\n/,
    );
    assert.match(r.stderr, /\[clore-job\] pulumi destroy \(stack ci-4243-1\)/);
    assert.deepEqual(emu.activeOrders(), []);
    assert.deepEqual(await stacks(), []);
  });

  describe("runJob in-process", () => {
    const job = (stackName: string, extra: Partial<JobOptions> = {}): JobOptions => ({
      workDir: project(),
      stackName,
      commands: ["echo ready"],
      pulumiEnv: env as Record<string, string>,
      log: (line, source) => logged.push(`${source}: ${line}`),
      ...extra,
    });
    let logged: string[] = [];
    beforeEach(() => {
      logged = [];
      emu.faults.clear();
      emu.options.sshdStartDelayMs = 0;
    });

    it("a wrong ssh password: a clear auth error, exit code 1, stack destroyed; a job.failed event with no password", async () => {
      const file = join(repo.root, "wrong-pw-events.jsonl");
      const e = await runJob(
        job("wrong-pw", {
          config: { sshPassword: { value: "the-right-one", secret: true } },
          ssh: { password: "not-the-right-one", waitMs: 5000 },
          events: `file:${file}`,
        }),
      ).catch((x: unknown) => x);
      const events = readFileSync(file, "utf8");
      assert.ok(!events.includes("the-right-one") && !events.includes("not-the-right-one"));
      const failed = events
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l))
        .find((x) => x.kind === "job.failed");
      assert.deepEqual([failed?.stack, failed?.error], ["wrong-pw", "CLORE_SSH_AUTH_FAILED"]);
      assert.equal((e as { code?: string }).code, "CLORE_SSH_AUTH_FAILED");
      assert.match(
        (e as Error).message,
        /the server refused the login \(offered: password\)\. Use the sshPassword or sshKey the order was created with/,
      );
      assert.ok(
        !JSON.stringify(logged).includes("the-right-one") && !(e as Error).message.includes("not-the-right-one"),
      );
      assert.equal(exitCodeFor(e), 1);
      assert.ok(logged.includes("job: pulumi destroy (stack wrong-pw)"));
      assert.deepEqual(emu.activeOrders(), []);
      assert.deepEqual(await stacks(), []);
    });

    it("an sshd slow to come up: waits, logs the wait, and runs the job", async () => {
      emu.options.sshdStartDelayMs = 60_000; // 3 s real after boot
      const r = await runJob(job("slow-sshd", { commands: ["echo ran after the wait"] }));
      assert.deepEqual(
        r.commands.map((c) => [c.command, c.exitCode]),
        [["echo ran after the wait", 0]],
      );
      assert.ok(
        logged.some((l) =>
          /^job: sshd not ready yet \(connection closed before the SSH handshake\); trying again in \d+ ms$/.test(l),
        ),
        logged.join("\n"),
      );
      assert.ok(logged.includes("stdout: ran after the wait"));
      assert.deepEqual(emu.activeOrders(), []);
    });

    it("a connection dropped mid-command: reconnects, one log line for the outage, every line once, stack destroyed; its events in order", async () => {
      emu.faults.inject({ kind: "ssh-drop", delayMs: 1000 });
      const file = join(repo.root, "dropped-events.jsonl");
      const r = await runJob(
        job("dropped", { commands: ["echo step-1; sleep 2; echo step-2"], events: `file:${file}` }),
      );
      const events = readFileSync(file, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      // The order's events come from the stack's engine, which runJob hands the setting; the
      // job is finished once its stack is destroyed.
      assert.deepEqual(
        events.map((x) => x.kind),
        ["order.rented", "order.ready", "job.started", "job.reconnected", "order.cancelled", "job.finished"],
      );
      const reconnected = events[3];
      assert.deepEqual(
        [reconnected.step, reconnected.orderId, reconnected.stack],
        ["command 1 of 1", r.orderId, "dropped"],
      );
      assert.equal(events[5].outages, 1);
      assert.deepEqual(
        r.commands.map((c) => [c.command, c.exitCode]),
        [["echo step-1; sleep 2; echo step-2", 0]],
      );
      assert.equal(r.outages, 1);
      assert.deepEqual(
        logged.filter((l) => l.startsWith("stdout: ")),
        ["stdout: step-1", "stdout: step-2"],
      );
      assert.equal(logged.filter((l) => /^job: connection lost during .*; reconnected after/.test(l)).length, 1);
      assert.deepEqual(emu.activeOrders(), []);
      assert.deepEqual(await stacks(), []);
    });

    (hasRedisServer() ? it : it.skip)(
      "rateLimitStore: the job's pulumi up/destroy and its own reads share the key's limits through Redis",
      async () => {
        const redis = await startRedis({ password: `pw-${randomBytes(4).toString("hex")}` });
        try {
          const r = await runJob(job("shared-limits", { rateLimitStore: redis.url }));
          assert.deepEqual(
            r.commands.map((c) => c.exitCode),
            [0],
          );
          const record = JSON.parse((await slotRecord(redis.url, emu.apiKey)) ?? "{}") as { sentCreate?: number };
          // Only create_order sets it: the provider in the engine's `pulumi up` spaced it through Redis.
          assert.ok(record.sentCreate, `the key's record in Redis: ${JSON.stringify(record)}`);
          assert.ok(!JSON.stringify(logged).includes(redis.password!), "the Redis password was logged");
          assert.deepEqual(emu.activeOrders(), []);
        } finally {
          await redis.stop();
        }
      },
    );
  });

  it("a cancelled run (SIGINT to the step's processes, as Actions sends): the job stops and the stack is destroyed", async () => {
    let pid = 0;
    let training = false;
    const cancelled = step(
      train,
      trainStep,
      { EPOCHS: "100", EPOCH_SECONDS: "1" },
      { github: { run_id: "4245" }, onSpawn: (p) => (pid = p), onLine: (l) => (training ||= /^epoch 1\//.test(l)) },
    );
    await waitFor(() => training, 120_000, "the job's first epoch");
    process.kill(-pid, "SIGINT");
    const r = await cancelled;
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /\[clore-job\] pulumi destroy \(stack ci-4245-1\)/);
    assert.match(r.stderr, /\[clore-job\] failed: SIGINT: the run was stopped/);
    assert.deepEqual(emu.activeOrders(), []);
    assert.deepEqual(await stacks(), []);
  });

  describe("a runner that dies", () => {
    it("a runner killed with SIGKILL mid-job: the order stays until its ttl, then the sweep workflow cancels it", async () => {
      const ttlS = 40;
      let pid = 0;
      let training = false;
      const started = Date.now();
      // The workflow's step with a ttl short enough to wait for (2h in the file).
      const killed = step(
        train,
        trainStep,
        { EPOCHS: "100", EPOCH_SECONDS: "1" },
        {
          github: { run_id: "4244" },
          override: { CLORE_TTL: `${ttlS}s` },
          onSpawn: (p) => (pid = p),
          onLine: (l) => (training ||= /^epoch 1\//.test(l)),
        },
      );
      // The training under way, kill the runner like a lost machine.
      await waitFor(() => training, 120_000, "the job's first epoch");
      const order = emu.activeOrders()[0]!;
      for (const p of processTree(pid)) {
        try {
          process.kill(p, "SIGKILL");
        } catch {
          // Gone already.
        }
      }
      const r = await killed;
      assert.equal(r.code, null, "the runner was not killed");
      assert.match(r.stdout, /^epoch 1\/100/m, "killed before the job ran");
      assert.deepEqual(
        emu.activeOrders().map((o) => o.id),
        [order.id],
        "the order should outlive its runner",
      );

      const sweepSteps = runSteps(sweep);
      const sweepOnce = async () => {
        for (const s of sweepSteps) {
          const res = await step(sweep, s);
          assert.equal(res.code, 0, res.stdout + res.stderr);
          if (s.run!.includes("clore orphans")) return res.stdout;
        }
        return "";
      };
      const early = await sweepOnce();
      assert.match(early, /No orphaned orders: all 1 active order belong to a stack\./);
      assert.deepEqual(
        emu.activeOrders().map((o) => o.id),
        [order.id],
        "cancelled before its ttl",
      );

      // The ttl counts from the rent; the exported state says when it runs out.
      const exported = JSON.parse(
        readFileSync(join(repo.runnerTemp, "stacks", "ci-4244-1.json"), "utf8"),
      ) as StackExport;
      const expiresOn = Date.parse(String(resourcesOfType(exported, ORDER_TYPE)[0]!.outputs!.expiresOn));
      assert.ok(
        expiresOn > started && expiresOn <= Date.now() + ttlS * 1000,
        `expiresOn ${new Date(expiresOn).toISOString()}`,
      );
      await new Promise((r) => setTimeout(r, Math.max(0, expiresOn + 1000 - Date.now())));
      const late = await sweepOnce();
      assert.match(late, /Cancelled 1 order: \d+\./);
      assert.deepEqual(emu.activeOrders(), []);
    });
  });
});
