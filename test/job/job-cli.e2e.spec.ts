import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { type Emulator, startEmulator } from "../../provider/emulator";
import { runJob } from "../../provider/job";
import { ensureBuilt } from "../helpers/build";
import { FAST_EMULATOR, run } from "../pulumi/harness";
import { processTree, waitFor } from "../reliability/helpers";
import { type FakeRepo, type StepOptions, fakeRepo, readWorkflow, repoEnv, runStep, runSteps } from "./workflow";

/**
 * A job longer than its runner: the runner dies (SIGKILL) or returns at once (detach), and
 * another process — `clore job …` as a later CI job or the scheduled sweep would run it —
 * finds the run through the stack, follows its log, downloads and destroys. The emulator's
 * servers run the job for real; every test ends with no order billing and no stack.
 */
describe("clore job: runs that outlive their runner", function () {
  this.timeout(400_000);
  let emu: Emulator;
  let repo: FakeRepo;
  let env: NodeJS.ProcessEnv;
  const train = readWorkflow("train.yml");
  const sweep = readWorkflow("sweep-orphans.yml");
  const trainStep = runSteps(train).find((s) => s.run!.includes("run.ts"))!;
  const collectStep = runSteps(sweep).find((s) => s.run!.includes("clore job finish"))!;
  const project = () => join(repo.root, "examples/ci-training");
  /** The job's whole log, each line once, in order (the loss printed as Python rounds it, so left out). */
  const full = (n: number) => [
    ...Array.from({ length: n }, (_, i) => `epoch ${i + 1}/${n}`),
    "wrote out/model.bin (1048576 bytes) and out/metrics.json",
  ];
  const noLoss = (l: string) => l.replace(/ loss=\S+$/, "");

  before(async () => {
    await ensureBuilt();
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
    (
      JSON.parse(
        (await run("pulumi", ["stack", "ls", "--output", "json"], { cwd: project(), env })).stdout || "[]",
      ) as {
        name: string;
      }[]
    ).map((s) => s.name);
  /** `clore job …` as another machine runs it: only the backend, the passphrase and the key in common. */
  const clore = (args: string[]) => run("clore", ["job", ...args], { cwd: project(), env });
  const lines = (text: string) => text.split("\n").filter((l) => l !== "");

  it("a runner killed with SIGKILL mid-job: logs, then attach --from, give the rest of the log once; finish downloads, destroys, 0 orders", async () => {
    let pid = 0;
    const epochs = 20;
    let shown = 0;
    const o: StepOptions = {
      github: { run_id: "4301" },
      onSpawn: (p) => (pid = p),
      onLine: (l) => (shown += l.startsWith("epoch ") ? 1 : 0),
    };
    const killed = runStep(repo, train, trainStep, { ...env, EPOCHS: String(epochs), EPOCH_SECONDS: "1" }, o);
    await waitFor(() => emu.activeOrders()[0]?.online === true, 120_000, "the job's order");
    const order = emu.activeOrders()[0]!;
    // Two epochs in the runner's log, then it dies like a lost machine.
    await waitFor(() => shown >= 2, 120_000, "the second epoch");
    for (const p of processTree(pid)) {
      try {
        process.kill(p, "SIGKILL");
      } catch {
        // Gone already.
      }
    }
    const r = await killed;
    assert.equal(r.code, null, "the runner was not killed");
    const seenByRunner = r.lines.map((l) => l.line).filter((l) => l.startsWith("epoch "));
    assert.ok(seenByRunner.length >= 1 && seenByRunner.length < epochs, `runner saw ${seenByRunner.join(", ")}`);
    assert.deepEqual(
      emu.activeOrders().map((x) => x.id),
      [order.id],
    );

    const status = await clore(["status", "ci-4301-1", "--json"]);
    assert.equal(status.code, 0, status.stderr);
    const s = JSON.parse(status.stdout) as {
      state: string;
      orderId: number;
      hostKeyPinned: boolean;
      steps: { command: string }[];
    };
    assert.deepEqual(
      [s.state, s.orderId, s.hostKeyPinned, s.steps.map((x) => x.command)],
      ["running", order.id, true, ["python3 train.py"]],
      "the host key the runner saw is pinned from the stack's tag",
    );
    // Another key than the one the runner saw is refused, never trusted.
    const tag = (...a: string[]) =>
      run("pulumi", ["stack", "tag", ...a, "--stack", "ci-4301-1"], { cwd: project(), env });
    const pinned = (await tag("get", "clore:host-key")).stdout.trim();
    assert.match(pinned, /^SHA256:/);
    await tag("set", "clore:host-key", "SHA256:not-the-servers-key");
    const refused = await clore(["status", "ci-4301-1"]);
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, /host key/i);
    await tag("set", "clore:host-key", pinned);

    // What is written so far, then the rest from where it stopped.
    const logs = await clore(["logs", "ci-4301-1", "--json"]);
    assert.equal(logs.code, 0, logs.stderr);
    const sofar = JSON.parse(logs.stdout) as { endOffset: number; lines: { text: string }[] };
    const head = sofar.lines.map((l) => l.text);
    assert.deepEqual(head.slice(0, seenByRunner.length), seenByRunner, "the runner's lines are the log's start");
    const attach = await clore(["attach", "ci-4301-1", "--from", String(sofar.endOffset)]);
    assert.equal(attach.code, 0, attach.stderr);
    assert.deepEqual([...head, ...lines(attach.stdout)].map(noLoss), full(epochs), "a gap or a duplicate");
    assert.match(attach.stderr, /job step-\d{8}T\d{6}Z-[0-9a-f]{6} exited with code 0 \(log ends at byte \d+\)/);

    const into = join(repo.root, "finished-4301");
    const finish = await clore(["finish", "ci-4301-1", "--into", into]);
    assert.equal(finish.code, 0, finish.stderr);
    assert.match(
      finish.stdout,
      /The run of ci-4301-1 exited with code 0; 2 files \(1\.0 MB\) downloaded; stack ci-4301-1 destroyed\./,
    );
    assert.deepEqual(readdirSync(join(into, "artifacts")).sort(), ["metrics.json", "model.bin"]);
    const metrics = JSON.parse(readFileSync(join(into, "artifacts/metrics.json"), "utf8")) as { model_sha256: string };
    const model = readFileSync(join(into, "artifacts/model.bin"));
    assert.equal(createHash("sha256").update(model).digest("hex"), metrics.model_sha256);
    assert.deepEqual(emu.activeOrders(), []);
    assert.deepEqual(await stacks(), []);
  });

  it("detach: run.ts returns with the job running and the stack up; the sweep's collect step leaves it while it runs and finishes it once it exited", async () => {
    const epochs = 10;
    const r = await runStep(
      repo,
      train,
      trainStep,
      { ...env, EPOCHS: String(epochs), EPOCH_SECONDS: "1" },
      { github: { run_id: "4302" }, override: { CLORE_DETACH: "1" } },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /\[clore-job\] detached: job step-\S+ runs on order \d+; stack ci-4302-1 stays up/);
    assert.doesNotMatch(r.stdout, /^epoch /m, "the runner waited for the training");
    assert.equal(emu.activeOrders().length, 1);
    assert.deepEqual(await stacks(), ["ci-4302-1"]);

    const early = await runStep(repo, sweep, collectStep, env);
    assert.equal(early.code, 0, early.stderr);
    assert.match(early.stdout, /Stack ci-4302-1: running \(command 1\/1: python3 train\.py\); left as it is\./);
    assert.equal(emu.activeOrders().length, 1);

    const wait = await clore(["wait", "ci-4302-1"]);
    assert.equal(wait.code, 0, wait.stderr);
    assert.match(wait.stderr, /job step-\S+ exited with code 0 after/);

    const late = await runStep(repo, sweep, collectStep, env);
    assert.equal(late.code, 0, late.stderr);
    assert.match(
      late.stdout,
      /The run of ci-4302-1 exited with code 0; 2 files \(1\.0 MB\) downloaded; stack ci-4302-1 destroyed\./,
    );
    const out = join(repo.runnerTemp, "collected/ci-4302-1/artifacts");
    assert.ok(existsSync(join(out, "model.bin")), late.stderr);
    const metrics = JSON.parse(readFileSync(join(out, "metrics.json"), "utf8")) as { epochs: number; job: string };
    assert.deepEqual([metrics.epochs, metrics.job], [epochs, "ci-4302-1"]);
    assert.deepEqual(emu.activeOrders(), []);
    assert.deepEqual(await stacks(), []);
  });

  it("finish of a detached run that failed: downloads what is there, destroys, exits with the job's code (3)", async () => {
    const r = await runStep(
      repo,
      train,
      trainStep,
      { ...env, EPOCHS: "3", EPOCH_SECONDS: "0.2", TRAIN_ARGS: "--fail-at-epoch 2" },
      { github: { run_id: "4303" }, override: { CLORE_DETACH: "1" } },
    );
    assert.equal(r.code, 0, r.stderr);
    const finish = await clore(["finish", "ci-4303-1", "--log", "--into", join(repo.root, "finished-4303")]);
    assert.equal(finish.code, 3, finish.stderr);
    assert.deepEqual(lines(finish.stdout), ["epoch 1/3 loss=1.0000"]);
    assert.match(finish.stderr, /epoch 2\/3: loss is NaN, stopping/);
    assert.match(finish.stderr, /Error: the run of ci-4303-1 exited with code 3; .*stack ci-4303-1 destroyed\./);
    assert.deepEqual(emu.activeOrders(), []);
    assert.deepEqual(await stacks(), []);
  });

  it("stop: TERM to a running detached job, its exit code 143 recorded; finish then exits 143 and destroys", async () => {
    const r = await runStep(
      repo,
      train,
      trainStep,
      { ...env, EPOCHS: "100", EPOCH_SECONDS: "1" },
      { github: { run_id: "4304" }, override: { CLORE_DETACH: "1" } },
    );
    assert.equal(r.code, 0, r.stderr);
    const before = await clore(["status", "ci-4304-1"]);
    assert.equal(before.code, 0, before.stderr);
    assert.match(before.stdout, /^Run +running \(command 1\/1: python3 train\.py\)$/m);
    assert.match(before.stdout, /^# +JOB +STATE +EXIT +TIME +LOG +COMMAND$/m);
    const stop = await clore(["stop", "ci-4304-1", "--grace", "2"]);
    assert.equal(stop.code, 0, stop.stderr);
    assert.match(stop.stdout, /^Job step-\S+ ended with exit code 143\.$/m);
    const finish = await clore(["finish", "ci-4304-1", "--into", join(repo.root, "finished-4304")]);
    assert.equal(finish.code, 143, finish.stderr);
    assert.match(finish.stderr, /Error: the run of ci-4304-1 exited with code 143; .*stack ci-4304-1 destroyed\./);
    assert.deepEqual(emu.activeOrders(), []);
    assert.deepEqual(await stacks(), []);
  });

  it("finish of a run whose order the API lists as ended: nothing to download, the stack destroyed, exit 1", async () => {
    const r = await runStep(
      repo,
      train,
      trainStep,
      { ...env, EPOCHS: "100", EPOCH_SECONDS: "1" },
      { github: { run_id: "4305" }, override: { CLORE_DETACH: "1" } },
    );
    assert.equal(r.code, 0, r.stderr);
    const [order] = emu.activeOrders();
    const cancel = await run("clore", ["cancel", String(order!.id)], { cwd: project(), env });
    assert.equal(cancel.code, 0, cancel.stderr);
    const finish = await clore(["finish", "ci-4305-1"]);
    assert.equal(finish.code, 1, finish.stderr);
    assert.match(
      finish.stderr,
      new RegExp(
        `Error: order ${order!.id} of stack ci-4305-1 had ended \\(.+\\): the job is gone with its server; nothing downloaded; stack ci-4305-1 destroyed\\.`,
      ),
    );
    assert.deepEqual(emu.activeOrders(), []);
    assert.deepEqual(await stacks(), []);
  });

  it("detach with several commands: runJob starts the first; finish runs the later ones with the run's cwd and variables", async () => {
    const logged: string[] = [];
    const r = await runJob({
      workDir: project(),
      stackName: "multi",
      upload: [{ local: join(project(), "train"), remote: "job" }],
      cwd: "job",
      env: { GREETING: "hello" },
      commands: ["sleep 1; echo first in $(basename $PWD) > out.txt", "echo second $GREETING | tee -a out.txt"],
      download: [{ remote: "job/out.txt", local: "out.txt" }],
      pulumiEnv: env as Record<string, string>,
      log: (line, source) => logged.push(`${source}: ${line}`),
      detach: true,
    });
    assert.deepEqual(
      [r.detached?.stackName, r.detached?.orderId, r.commands.length],
      ["multi", emu.activeOrders()[0]?.id, 0],
    );
    assert.match(r.detached!.jobId, /^step-/);
    assert.ok(logged.includes("job: stack multi left up"), logged.join("\n"));
    const into = join(repo.root, "finished-multi");
    const finish = await clore(["finish", "multi", "--log", "--into", into]);
    assert.equal(finish.code, 0, finish.stderr);
    assert.ok(lines(finish.stdout).includes("second hello"), finish.stdout);
    assert.match(finish.stderr, /started job step-\S+: echo second \$GREETING/);
    assert.equal(readFileSync(join(into, "out.txt"), "utf8"), "first in job\nsecond hello\n");
    assert.deepEqual(emu.activeOrders(), []);
    assert.deepEqual(await stacks(), []);
  });
});
