import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { type Emulator, startEmulator } from "../../provider/emulator";
import { type JobOptions, runJob } from "../../provider/job";
import { ensureBuilt } from "../helpers/build";
import { scratchDir } from "../helpers/scratch-dir";
import { FAST_EMULATOR } from "../pulumi/harness";
import { waitFor } from "../reliability/helpers";
import { type FakeRepo, fakeRepo, repoEnv } from "./workflow";

/**
 * A training loop that checkpoints every second: step n in ckpt/step and ckpt/weights-n.pt,
 * each written to a temp name and renamed (as a job should write its checkpoints). It resumes
 * from ckpt/step when there is one and runs 10 more steps.
 */
const TRAIN = [
  "mkdir -p ckpt",
  'i=$(cat ckpt/step 2>/dev/null || echo 0); end=$((i + 10)); r=0; [ "$CLORE_JOB_RESUME" = 1 ] && r=1',
  'echo "resume=$r from=$i"',
  'while [ "$i" -lt "$end" ]; do',
  "  i=$((i + 1)); sleep 1",
  '  echo "weights of step $i" > ckpt/.w && mv ckpt/.w "ckpt/weights-$i.pt"',
  '  echo "$i" > ckpt/.s && mv ckpt/.s ckpt/step; echo "step $i"',
  "done",
].join("\n");

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/**
 * runJob with `checkpoint` on the real Pulumi engine against the emulator (examples/ci-training's
 * program): pulls during the job across a cut connection, the final checkpoint kept, and a
 * re-run on a fresh stack that resumes from it. Every test ends with no order billing.
 */
describe("job checkpoints: a job that resumes from its last checkpoint", function () {
  this.timeout(400_000);
  let emu: Emulator;
  let repo: FakeRepo;
  let env: Record<string, string>;
  let cache: string;
  let logged: string[];
  const job = (stackName: string): JobOptions => ({
    workDir: join(repo.root, "examples/ci-training"),
    stackName,
    commands: [TRAIN],
    pulumiEnv: env,
    log: (line, source) => logged.push(`${source}: ${line}`),
    checkpoint: { remoteDir: "ckpt", localDir: cache, intervalMs: 1000 },
  });
  const steps = () => readdirSync(cache).sort();
  const lastStep = () => (existsSync(join(cache, "step")) ? readFileSync(join(cache, "step"), "utf8").trim() : "");

  before(async () => {
    await ensureBuilt(); // the example's program runs dist/
    emu = await startEmulator({ ...FAST_EMULATOR, bootDelayMs: 0 });
    repo = fakeRepo();
    cache = scratchDir("checkpoint-cache");
    env = repoEnv(repo, emu);
  });
  beforeEach(() => {
    logged = [];
  });
  afterEach(function () {
    if (this.currentTest?.state === "failed") console.error(logged.join("\n"));
  });
  after(async () => {
    await emu?.close();
    repo?.cleanup();
    if (cache) rmSync(cache, { recursive: true, force: true });
  });

  it("pulls while the job runs, across a cut connection, and ends with the final checkpoint", async () => {
    const running = runJob(job("ckpt-1"));
    // Once a periodic pull has brought step 2, cut every SSH connection of the order.
    await waitFor(() => Number(lastStep()) >= 2, 120_000, "a pull during the job");
    assert.ok(emu.cutSsh(emu.activeOrders()[0]!.id) >= 1, "no connection to cut");
    const r = await running;

    assert.equal(r.outages, 1);
    assert.ok(logged.includes("stdout: resume=0 from=0"), logged.join("\n"));
    assert.deepEqual(
      logged.filter((l) => l.startsWith("stdout: step ")),
      range(1, 10).map((i) => `stdout: step ${i}`),
    );
    // Pulls go on after the reconnect, while the job still runs.
    const reconnected = logged.findIndex((l) => /^job: connection lost during [\s\S]*; reconnected after/.test(l));
    const pulledAfter = logged.findIndex((l, i) => i > reconnected && /^job: checkpoint: pulled /.test(l));
    assert.ok(reconnected >= 0 && pulledAfter > reconnected, logged.join("\n"));
    assert.ok(pulledAfter < logged.indexOf("stdout: step 10"), logged.join("\n"));
    assert.equal(lastStep(), "10");
    assert.deepEqual(steps(), ["step", ...range(1, 10).map((i) => `weights-${i}.pt`)].sort());
    assert.equal(readFileSync(join(cache, "weights-10.pt"), "utf8"), "weights of step 10\n");
    assert.ok(
      logged.some((l) => /^job: checkpoint: final pull of ckpt into .*: \d+ file\(s\)/.test(l)),
      logged.join("\n"),
    );
    assert.ok(!logged.some((l) => /checkpoint: .*failed/.test(l)), logged.join("\n"));
    assert.deepEqual(emu.activeOrders(), []);
  });

  it("a re-run on a fresh stack with the same local dir pushes it: the job sees CLORE_JOB_RESUME=1 and its files", async () => {
    assert.equal(lastStep(), "10", "the first test leaves step 10");
    const r = await runJob(job("ckpt-2"));
    assert.equal(r.commands[0]!.exitCode, 0);
    assert.ok(
      logged.some((l) => /^job: checkpoint: restored 11 file\(s\) from .* to ckpt .*CLORE_JOB_RESUME=1\)$/.test(l)),
      logged.join("\n"),
    );
    assert.ok(logged.includes("stdout: resume=1 from=10"), logged.join("\n"));
    assert.deepEqual(
      logged.filter((l) => l.startsWith("stdout: step ")),
      range(11, 20).map((i) => `stdout: step ${i}`),
    );
    assert.equal(lastStep(), "20");
    assert.equal(steps().length, 21);
    assert.deepEqual(emu.activeOrders(), []);
    assert.equal(emu.allOrders().length, 2, "one order per run");
  });
});
