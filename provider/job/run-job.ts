import { randomBytes } from "node:crypto";
import type { ConfigMap } from "@pulumi/pulumi/automation";
import { CloreClient, orderFate, resolveSettings } from "../sdk";
import { type ConnectOptions, TrustOnFirstUse, connectSsh } from "../ssh";
import { JobConnection, type ReconnectOptions } from "./job-connection";
import { type DetachedJob, recordRun, startDetached } from "./detach";
import { withEphemeralStack } from "./ephemeral-stack";
import { newJobRecord, recordPath } from "./job-record";
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
  /**
   * A lost connection is reconnected (same host key) and the command's log resumed, for up to
   * `budgetMs` per outage (default 300 000); `idleTimeoutMs` (default 8000) notices a silent one.
   */
  reconnect?: ReconnectOptions;
  /**
   * Asked during an outage: why the order ended, or undefined while it lives (or cannot be
   * told). Default: the API's answer (orderFate) with the key in `pulumiEnv` or this process's env.
   */
  orderEnded?: () => Promise<string | undefined>;
  /**
   * Start the job and return: up, upload, start the first command as a detached job, and leave
   * the stack up (`detached` in the result says where). From any machine with the backend and
   * the key, `clore job attach|logs|status|wait|stop|finish <stack>` follows it; `finish` runs
   * the later commands, downloads and destroys the stack. Give the order a ttl longer than the job.
   */
  detach?: boolean;
}

export interface JobResult extends StepsResult {
  /** With `detach`: the job left running, and where (the stack is up). */
  detached?: DetachedJob;
  stackName: string;
  orderId?: number;
  /** Connections lost and recovered during the job. */
  outages: number;
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
    keepOnSuccess: o.detach,
  };
  if (o.detach && o.commands.length === 0)
    throw new Error("runJob: detach needs a command to start (commands is empty).");
  return withEphemeralStack(stack, async (outputs, pulumiStack) => {
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
    const target = { host, port, user, password, privateKey: o.ssh?.privateKey };
    // One policy for the job: a reconnect must show the host key the first login saw.
    const hostKeys = new TrustOnFirstUse();
    const link = (waitMs: number, onWait?: ConnectOptions["onWait"]) =>
      connectSsh(target, {
        waitMs,
        hostKeys,
        onWait,
        // ssh2 counts missed keepalives even while data flows: 5 s × 2 notices a dead link in 10–15 s.
        keepaliveIntervalMs: 5000,
        keepaliveCountMax: 2,
        handshakeTimeoutMs: 10_000,
      });
    const ssh = await link(o.ssh?.waitMs ?? 300_000, (w) =>
      log(`sshd not ready yet (${w.reason}); trying again in ${w.nextInMs} ms`, "job"),
    );
    const api = apiOrderEnded(orderId, o.pulumiEnv);
    const conn = new JobConnection(
      ssh,
      {
        connect: (waitMs) => link(waitMs),
        log,
        signal: o.signal,
        orderEnded: o.orderEnded ?? api.ask,
      },
      o.reconnect,
    );
    // Stopping hangs up: the step in progress fails at once and the destroy follows.
    const hangUp = () => void conn.session.close();
    o.signal?.addEventListener("abort", hangUp, { once: true });
    try {
      o.signal?.throwIfAborted();
      // The run's plan on the server first: another process can carry it on if this one dies.
      const record = o.commands.length
        ? newJobRecord({ ...o, stack: o.stackName, detached: Boolean(o.detach), now: Date.now() })
        : undefined;
      if (record) await recordRun(conn, pulumiStack, record, hostKeys.trusted(host, port), log);
      const ids = record?.steps.map((s) => s.jobId);
      const steps = await (o.detach && record
        ? startDetached(conn, o, record, log)
        : runSteps(conn, o, log, ids)
      ).catch((e: unknown) => Promise.reject(o.signal?.aborted ? o.signal.reason : e));
      const detached =
        o.detach && record
          ? {
              jobId: record.steps[0]!.jobId,
              stackName: o.stackName,
              orderId,
              host,
              port,
              record: recordPath(o.stackName),
            }
          : undefined;
      return {
        stackName: o.stackName,
        orderId,
        ...(detached ? { detached } : {}),
        commands: steps.commands,
        uploaded: steps.uploaded,
        downloaded: steps.downloaded,
        outages: conn.outages,
        durationMs: performance.now() - started,
      };
    } finally {
      o.signal?.removeEventListener("abort", hangUp);
      await api.close();
      await conn.session.close();
    }
  });
}

/** The order's end as the API reports it (orderFate: "ended" only when listed as ended); undefined otherwise or without a key. */
function apiOrderEnded(orderId: number | undefined, env: Record<string, string> | undefined) {
  const settings = resolveSettings({ env: env ?? process.env });
  let client: CloreClient | undefined;
  return {
    ask:
      orderId !== undefined && settings.apiKey
        ? async () => {
            client ??= new CloreClient({ apiKey: settings.apiKey, baseUrl: settings.baseUrl });
            const fate = await orderFate(client, orderId);
            return fate.state === "ended" ? fate.reason : undefined;
          }
        : undefined,
    close: () => client?.close(),
  };
}

function configValue(v: ConfigInput | undefined): string | undefined {
  return typeof v === "string" ? v : v?.value;
}
