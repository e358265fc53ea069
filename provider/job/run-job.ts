import { randomBytes } from "node:crypto";
import type { ConfigMap } from "@pulumi/pulumi/automation";
import { CloreClient, RATE_LIMIT_STORE_CONFIG, orderFate, resolveSettings } from "../sdk";
import { type ConnectOptions, TrustOnFirstUse, connectSsh } from "../ssh";
import { JobConnection, type ReconnectOptions } from "./job-connection";
import { JobEvents, jobEventBus } from "./job-events";
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
   * Where the key's rate limits are kept, as the SDK's `rateLimitStore` (e.g. a `rediss://` URL
   * shared by every runner on the key). Set as the stack's secret `clore:rateLimitStore` for the
   * providers in `pulumi up`/`destroy`, and used by the runner's own API reads. Default: the
   * stack config `clore:rateLimitStore` if given, else CLORE_RATE_LIMIT_STORE of `pulumiEnv` or
   * this process's env.
   */
  rateLimitStore?: string;
  /**
   * Lifecycle events of the job (started, reconnected, restarted, finished, failed) and of its
   * order: comma-separated `stdout`, `file:/path`, `https://…` webhook URLs. Default:
   * CLORE_EVENTS in `pulumiEnv` or this process's env. Given here, the stack's engine gets it as
   * CLORE_EVENTS too, so the order's events go to the same places. A malformed value throws
   * before anything is rented; a webhook never fails or holds the job (its end waits at most
   * the webhook timeout for deliveries).
   */
  events?: string;
}

export interface JobResult extends StepsResult {
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
  // A malformed setting throws here, before anything is rented.
  const events = new JobEvents(jobEventBus(o.events, o.pulumiEnv ?? process.env), o.stackName, o.commands);
  const pulumiEnv = o.events
    ? { ...(o.pulumiEnv ?? (process.env as Record<string, string>)), CLORE_EVENTS: o.events }
    : o.pulumiEnv;
  try {
    const result = await runJobOn(o, pulumiEnv, events, started);
    events.finished(result);
    return result;
  } catch (e) {
    events.failed(e, performance.now() - started);
    throw e;
  } finally {
    await events.flush();
  }
}

async function runJobOn(
  o: JobOptions,
  pulumiEnv: Record<string, string> | undefined,
  events: JobEvents,
  started: number,
): Promise<JobResult> {
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
    ...(o.rateLimitStore ? { [RATE_LIMIT_STORE_CONFIG]: { value: o.rateLimitStore, secret: true } } : {}),
  };
  const rateLimitStore = o.rateLimitStore ?? configValue(o.config?.[RATE_LIMIT_STORE_CONFIG]);
  const stack = {
    workDir: o.workDir,
    stackName: o.stackName,
    config,
    env: pulumiEnv,
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
    events.orderId = orderId;
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
    events.started();
    const api = apiOrderEnded(orderId, pulumiEnv, rateLimitStore);
    const conn = new JobConnection(
      ssh,
      {
        connect: (waitMs) => link(waitMs),
        log,
        signal: o.signal,
        orderEnded: o.orderEnded ?? api.ask,
        onLost: (at) => events.lost(at),
        onReconnected: (at, outageMs) => events.reconnected(at, outageMs, conn.outages),
      },
      o.reconnect,
    );
    // Stopping hangs up: the step in progress fails at once and the destroy follows.
    const hangUp = () => void conn.session.close();
    o.signal?.addEventListener("abort", hangUp, { once: true });
    try {
      o.signal?.throwIfAborted();
      const steps = await runSteps(conn, o, log).catch((e: unknown) =>
        Promise.reject(o.signal?.aborted ? o.signal.reason : e),
      );
      return {
        stackName: o.stackName,
        orderId,
        ...steps,
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
function apiOrderEnded(orderId: number | undefined, env: Record<string, string> | undefined, rateLimitStore?: string) {
  const settings = resolveSettings({ env: env ?? process.env });
  let client: CloreClient | undefined;
  return {
    ask:
      orderId !== undefined && settings.apiKey
        ? async () => {
            client ??= new CloreClient({
              apiKey: settings.apiKey,
              baseUrl: settings.baseUrl,
              env: env ?? process.env,
              rateLimitStore,
              rateLimitStoreSource: RATE_LIMIT_STORE_CONFIG,
            });
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
