import { randomBytes } from "node:crypto";
import type { ConfigMap } from "@pulumi/pulumi/automation";
import { TrustOnFirstUse, connectSsh } from "../ssh";
import { withEphemeralStack } from "./ephemeral-stack";
import { type JobLog, ciLog } from "./job-log";
import { type JobSteps, type StepsResult, runSteps } from "./job-steps";

type ConfigInput = string | { value: string; secret?: boolean };

export interface JobOptions extends JobSteps {
  /**
   * The Pulumi project of the ephemeral stack (a directory with Pulumi.yaml). Its program rents
   * one order with port 22 published and exports `sshHost`, `sshPort` (and `orderId`), like
   * examples/ci-training/index.ts.
   */
  workDir: string;
  /** One stack per CI run, e.g. `ci-${GITHUB_RUN_ID}-${GITHUB_RUN_ATTEMPT}`; destroyed and removed at the end. */
  stackName: string;
  /**
   * Stack config: plain values or `{ value, secret: true }`. Give the order a `ttl` (the example
   * program reads config `ttl`): if this process is killed, the scheduled
   * `clore orphans --expired --cancel --yes` ends the order once the ttl has passed.
   */
  config?: Record<string, ConfigInput>;
  /**
   * SSH login. Default: user root and a fresh random password, set as the secret stack config
   * `sshPassword` for the program to pass to CloreOrder. With `privateKey`, the program must
   * give the order the matching sshKey.
   */
  ssh?: { user?: string; password?: string; privateKey?: string | Buffer; waitMs?: number };
  /** Every line of the job as it happens. Default: the command's stdout on stdout, the rest on stderr. */
  log?: JobLog;
  /** Environment of the Pulumi engine (PULUMI_BACKEND_URL, CLORE_API_KEY …); default this process's. */
  pulumiEnv?: Record<string, string>;
  /**
   * Stops the job early — wire it to SIGINT/SIGTERM, which CI sends a cancelled run: the
   * connection is closed, the stack destroyed, and runJob throws the signal's reason. An up
   * in progress ends first (Pulumi handles the same signal).
   */
  signal?: AbortSignal;
}

export interface JobResult extends StepsResult {
  stackName: string;
  orderId?: number;
  durationMs: number;
}

/**
 * A CI job on a rented server, start to finish: `pulumi up` an ephemeral stack, log in over
 * SSH (waiting for sshd), upload, run the commands with their output live in the log, download
 * the artifacts, and `pulumi destroy` the stack in every case — also when a command fails or
 * the up itself fails. Throws the job's failure after the destroy (`exitCodeFor(e)` gives the
 * exit code for the script); a failed destroy throws JobCleanupError.
 *
 *     await runJob({
 *       workDir: __dirname, stackName: `ci-${process.env.GITHUB_RUN_ID}`, config: { ttl: "2h" },
 *       upload: [{ local: "train", remote: "job" }], cwd: "job", commands: ["python3 train.py"],
 *       download: [{ remote: "job/out", local: "artifacts" }],
 *     });
 */
export async function runJob(o: JobOptions): Promise<JobResult> {
  const started = performance.now();
  const log = o.log ?? ciLog;
  const user = o.ssh?.user ?? "root";
  const configured = configValue(o.config?.sshPassword);
  const password =
    o.ssh?.password ?? configured ?? (o.ssh?.privateKey === undefined ? randomBytes(12).toString("hex") : undefined);
  const stackPassword = configured ?? password;
  const config: ConfigMap = {
    ...Object.fromEntries(
      Object.entries(o.config ?? {}).map(([k, v]) => [k, typeof v === "string" ? { value: v } : v]),
    ),
    ...(stackPassword !== undefined ? { sshPassword: { value: stackPassword, secret: true } } : {}),
  };
  const stack = {
    workDir: o.workDir,
    stackName: o.stackName,
    config,
    env: o.pulumiEnv,
    onPulumi: (l: string) => log(l, "pulumi"),
    onStep: (l: string) => log(l, "job"),
  };
  return withEphemeralStack(stack, async (outputs) => {
    const host = outputs.sshHost;
    const port = Number(outputs.sshPort);
    if (typeof host !== "string" || !host || !Number.isInteger(port)) {
      throw new Error(
        `stack ${o.stackName} exports no sshHost/sshPort: the program must publish port 22 (ports: {"22": "tcp"}) and export the order's sshHost and sshPort.`,
      );
    }
    const orderId = Number(outputs.orderId) || undefined;
    o.signal?.throwIfAborted();
    log(`order ${orderId ?? "?"} is up; logging in as ${user}@${host}:${port}`, "job");
    const ssh = await connectSsh(
      { host, port, user, password, privateKey: o.ssh?.privateKey },
      {
        waitMs: o.ssh?.waitMs ?? 300_000,
        hostKeys: new TrustOnFirstUse(),
        onWait: (w) => log(`sshd not ready yet (${w.reason}); trying again in ${w.nextInMs} ms`, "job"),
      },
    );
    // Stopping hangs up: the step in progress fails at once and the destroy follows.
    const hangUp = () => void ssh.close();
    o.signal?.addEventListener("abort", hangUp, { once: true });
    try {
      o.signal?.throwIfAborted();
      const steps = await runSteps(ssh, o, log).catch((e: unknown) =>
        Promise.reject(o.signal?.aborted ? o.signal.reason : e),
      );
      return { stackName: o.stackName, orderId, ...steps, durationMs: performance.now() - started };
    } finally {
      o.signal?.removeEventListener("abort", hangUp);
      await ssh.close();
    }
  });
}

function configValue(v: ConfigInput | undefined): string | undefined {
  return typeof v === "string" ? v : v?.value;
}
