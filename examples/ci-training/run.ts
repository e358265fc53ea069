/**
 * The CI job (examples/ci-training/workflows/train.yml runs it): rent a GPU for this run, train
 * on it with the log live in CI, bring the model back, and destroy the stack — also when the
 * training or the rent fails. The exit code is the training's.
 *
 * With CLORE_DETACH=1 (a job longer than the runner may live): start the training and return,
 * the stack left up; sweep-orphans.yml's `clore job finish --if-done` collects it once it exits.
 *
 *     CLORE_API_KEY=… PULUMI_BACKEND_URL=… npx ts-node examples/ci-training/run.ts
 */
import { join } from "node:path";
import { exitCodeFor, runJob } from "pulumi-clore/job";

const env = process.env;
const stackName = env.CLORE_CI_STACK ?? `ci-${env.GITHUB_RUN_ID ?? Date.now()}`;
// A cancelled CI run gets SIGINT, then SIGTERM: stop the job and destroy the stack meanwhile.
const stop = new AbortController();
for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.once(signal, () => stop.abort(new Error(`${signal}: the run was stopped`)));

runJob({
  workDir: __dirname,
  stackName,
  config: { ttl: env.CLORE_TTL ?? "2h", ...(env.CLORE_SERVER_ID ? { serverId: env.CLORE_SERVER_ID } : {}) },
  upload: [{ local: join(__dirname, "train"), remote: "job" }],
  cwd: "job",
  commands: [`python3 train.py ${env.TRAIN_ARGS ?? ""}`.trim()],
  env: { EPOCHS: env.EPOCHS ?? "3", EPOCH_SECONDS: env.EPOCH_SECONDS ?? "1" },
  download: [{ remote: "job/out", local: env.ARTIFACTS_DIR ?? "artifacts" }],
  signal: stop.signal,
  detach: env.CLORE_DETACH === "1",
}).then(
  // runJob's last log line said what ran where and what it cost (and wrote the GitHub step summary).
  (r) =>
    console.error(
      r.detached
        ? `[clore-job] detached: job ${r.detached.jobId} runs on order ${r.orderId}; stack ${stackName} stays up (clore job attach|finish ${stackName})`
        : `[clore-job] stack ${stackName} destroyed`,
    ),
  (e: Error) => {
    console.error(`[clore-job] failed: ${e.message}`);
    process.exitCode = exitCodeFor(e);
  },
);
