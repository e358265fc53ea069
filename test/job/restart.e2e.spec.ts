import assert from "node:assert/strict";
import { join } from "node:path";
import { type Emulator, startEmulator } from "../../provider/emulator";
import { type JobOptions, exitCodeFor, runJob } from "../../provider/job";
import { BadHosts, CloreClient } from "../../provider/sdk";
import { ensureBuilt } from "../helpers/build";
import { scratchDir } from "../helpers/scratch-dir";
import { FAST_EMULATOR } from "../pulumi/harness";
import { waitFor } from "../reliability/helpers";
import { type FakeRepo, fakeRepo, repoEnv } from "./workflow";

/**
 * runJob's restart when the server is lost: examples/ci-training renting spot, on the real
 * Pulumi engine against the emulator, whose servers run the job for real. The emulator
 * outbids the order mid-job; runJob rents another server (not the lost host) and starts the
 * job again. Active orders are sampled throughout: never two for the job, none after.
 */
describe("runJob: a lost server is rented again", function () {
  this.timeout(400_000);
  let emu: Emulator;
  let repo: FakeRepo;
  let env: Record<string, string>;
  let logged: string[];
  let maxActive: number;
  let sampler: NodeJS.Timeout | undefined;
  const project = () => join(repo.root, "examples/ci-training");

  before(async () => {
    await ensureBuilt(); // the example's program runs dist/
    emu = await startEmulator({ ...FAST_EMULATOR, bootDelayMs: 0 });
    repo = fakeRepo();
    env = repoEnv(repo, emu);
  });
  beforeEach(() => {
    logged = [];
    maxActive = 0;
    // Each test its own bad-host list, so one test's lost hosts do not narrow the next one's market.
    env.CLORE_BAD_HOSTS_DIR = scratchDir("bad-hosts");
    sampler = setInterval(() => (maxActive = Math.max(maxActive, emu.activeOrders().length)), 25);
  });
  afterEach(function () {
    clearInterval(sampler);
    if (this.currentTest?.state === "failed") {
      console.error(logged.join("\n"));
      console.error(`orders: ${JSON.stringify(emu.activeOrders().map((o) => o.id))}`);
    }
  });
  after(async () => {
    await emu?.close();
    repo?.cleanup();
  });

  /** Attempts up to `waiting` wait (to be outbid); a later attempt finishes at once. */
  const command = (waiting: number) =>
    `echo "attempt=$CLORE_JOB_ATTEMPT resume=$CLORE_JOB_RESUME"; [ "$CLORE_JOB_ATTEMPT" -gt ${waiting} ] || sleep 60; echo finished`;
  const job = (
    stackName: string,
    restart: JobOptions["restart"],
    waiting = 1,
    commands = [command(waiting)],
  ): JobOptions => ({
    workDir: project(),
    stackName,
    // Spot at 3.0 a day: above the minimum of two USD-Blockchain RTX servers.
    config: { spotPrice: "3", ttl: "1h" },
    commands,
    restart,
    pulumiEnv: env,
    log: (line, source) => logged.push(`${source}: ${line}`),
  });
  /** Outbid the job's order once its command runs for attempt `n`; returns the order outbid. */
  async function outbidAttempt(n: number): Promise<{ id: number; serverId: number }> {
    await waitFor(() => logged.includes(`stdout: attempt=${n} resume=${n > 1 ? 1 : ""}`), 200_000, `attempt ${n}`);
    const [order] = emu.activeOrders();
    assert.ok(order, "the job's order");
    emu.outbid(order.id);
    return order;
  }
  const avoided = () => [
    ...new BadHosts(new CloreClient({ apiKey: emu.apiKey, baseUrl: emu.url }).account, { env })
      .avoided(undefined)
      .keys(),
  ];

  it("an outbid spot order mid-job: a second server, not the lost host; attempt 2 completes; never two orders", async () => {
    const running = runJob(job("restart-ok", { onServerLost: 1 }));
    const lost = await outbidAttempt(1);
    const r = await running;

    assert.equal(r.attempts, 2);
    assert.deepEqual(
      r.restarts.map((x) => [x.attempt, x.kind, x.orderId]),
      [[1, "server-lost", lost.id]],
    );
    assert.deepEqual(
      logged.filter((l) => l.startsWith("stdout: ")),
      ["stdout: attempt=1 resume=", "stdout: attempt=2 resume=1", "stdout: finished"],
    );
    const second = emu.allOrders().find((o) => o.id === r.orderId)!;
    assert.notEqual(r.orderId, lost.id);
    assert.notEqual(second.serverId, lost.serverId, "rented the lost host again");
    assert.equal(emu.allOrders().find((o) => o.id === lost.id)!.endReason, "outbid");
    assert.deepEqual(avoided(), [lost.serverId], "the lost host is remembered as bad");
    assert.ok(logged.includes(`job: attempt 1 lost its server; renting another (restart 1)`), logged.join("\n"));

    assert.equal(maxActive, 1, "two orders were active at once");
    assert.deepEqual(emu.activeOrders(), []);
  });

  it("the restart budget spent: a clear error after the destroy, no order left", async () => {
    const running = runJob(job("restart-spent", { onServerLost: 3, budget: { max: 1, windowMs: 3_600_000 } }, 2));
    const first = await outbidAttempt(1);
    const second = await outbidAttempt(2);
    const e = (await running.catch((x: unknown) => x)) as Error;

    assert.equal((e as { code?: string }).code, "CLORE_JOB_RESTARTS_SPENT", String(e));
    assert.match(
      e.message,
      /^the job was not restarted after attempt 2: the restart budget is spent \(1 restart\(s\) in the last 3600 s; restart\.budget\.max is 1\)\. Last failure: .*the order ended/,
    );
    assert.equal(exitCodeFor(e), 1);
    assert.notEqual(second.serverId, first.serverId);
    assert.deepEqual(avoided().sort(), [first.serverId, second.serverId].sort());
    assert.ok(logged.includes("job: pulumi destroy (stack restart-spent)"));
    assert.equal(maxActive, 1, "two orders were active at once");
    assert.deepEqual(emu.activeOrders(), []);
  });

  it("a listed exit code restarts the job on the same server: attempt 2 sees CLORE_JOB_RESUME, one order throughout", async () => {
    const r = await runJob(
      job("restart-exit", { onExitCodes: [75] }, 1, [
        'echo "attempt=$CLORE_JOB_ATTEMPT resume=$CLORE_JOB_RESUME"; [ "$CLORE_JOB_ATTEMPT" -gt 1 ] || exit 75',
      ]),
    );
    assert.equal(r.attempts, 2);
    assert.deepEqual(
      r.restarts.map((x) => [x.attempt, x.kind, x.orderId]),
      [[1, "exit-code", r.orderId]],
    );
    assert.deepEqual(
      logged.filter((l) => l.startsWith("stdout: ")),
      ["stdout: attempt=1 resume=", "stdout: attempt=2 resume=1"],
    );
    assert.deepEqual(avoided(), [], "an exit code says nothing about the host");
    assert.equal(maxActive, 1);
    assert.deepEqual(emu.activeOrders(), []);
  });
});
