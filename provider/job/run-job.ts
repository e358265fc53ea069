import { randomBytes } from "node:crypto";
import type { ConfigMap } from "@pulumi/pulumi/automation";
import {
  CloreClient,
  type JobArtifact,
  JobSpendCapError,
  type Order,
  RATE_LIMIT_STORE_CONFIG,
  type OrderCost,
  ValidationError,
  orderCost,
  orderFate,
  orderMoney,
  resolveSettings,
  systemClock,
} from "../sdk";
import { type ConnectOptions, TrustOnFirstUse, connectSsh } from "../ssh";
import { withEphemeralStack } from "./ephemeral-stack";
import { exitCodeFor } from "./exit-code";
import { JobConnection, type ReconnectOptions } from "./job-connection";
import { type JobLog, ciLog } from "./job-log";
import { type JobSteps, type StepsResult, runSteps } from "./job-steps";
import { type JobSummary, appendStepSummary, summaryLine } from "./job-summary";
import { type SpendCapWatch, watchSpendCap } from "./spend-cap";

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
   * Stop the job before its order's spend passes this many US dollars: the command in progress
   * is stopped, the downloads run, the stack is destroyed and runJob throws JobSpendCapError.
   * The spend is the order's, read once after the up, plus its price for the time since (no
   * polling); the job stops early by the time the up took (at least 30 s), kept in hand for the
   * stop, downloads and destroy. Needs the order's USD price (USD-Blockchain, or the API's
   * original_price_usd). Default: no cap.
   */
  spendCapUsd?: number;
  /**
   * Where the key's rate limits are kept, as the SDK's `rateLimitStore` (e.g. a `rediss://` URL
   * shared by every runner on the key). Set as the stack's secret `clore:rateLimitStore` for the
   * providers in `pulumi up`/`destroy`, and used by the runner's own API reads. Default: the
   * stack config `clore:rateLimitStore` if given, else CLORE_RATE_LIMIT_STORE of `pulumiEnv` or
   * this process's env.
   */
  rateLimitStore?: string;
}

export interface JobResult extends StepsResult {
  stackName: string;
  orderId?: number;
  /** The rented server, and its GPU model (e.g. "NVIDIA GeForce RTX 4090", "2x …" for several). */
  serverId?: number;
  gpu?: string;
  /** Servers the job ran on: 1 (a job is not restarted on another server). */
  attempts: number;
  /** Connections lost and recovered during the job. */
  outages: number;
  durationMs: number;
  /** The order's spend (my_orders, read before the destroy) in its currency and in USD; see `approximate`. */
  cost?: OrderCost;
  /** What each download brought back. */
  artifacts: JobArtifact[];
}

/** Kept in hand under a spend cap: the stop, the downloads and the destroy bill too. */
const MIN_CAP_RESERVE_MS = 30_000;
/** The cost read at the end waits no longer than this before the destroy goes ahead without it. */
const FINAL_READ_MS = 15_000;

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
  checkOptions(o);
  const started = performance.now();
  const clock = systemClock;
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
    env: o.pulumiEnv,
    onPulumi: (l: string) => log(l, "pulumi"),
    onStep: (l: string) => log(l, "job"),
  };
  // What the summary says, in every outcome: filled in as the job goes.
  const facts: { orderId?: number; order?: Order; durationMs?: number; artifacts: JobArtifact[] } = { artifacts: [] };
  const upStarted = clock.now();
  const outcome = await withEphemeralStack(stack, async (outputs) => {
    const upMs = clock.now() - upStarted;
    const host = outputs.sshHost;
    const port = Number(outputs.sshPort);
    if (typeof host !== "string" || !host || !Number.isInteger(port)) {
      throw new Error(
        `stack ${o.stackName} exports no sshHost/sshPort: the program must publish port 22 (ports: {"22": "tcp"}) and export the order's sshHost and sshPort.`,
      );
    }
    const orderId = Number(outputs.orderId) || undefined;
    facts.orderId = orderId;
    const api = stackApi(orderId, o.pulumiEnv, rateLimitStore);
    let watch: SpendCapWatch | undefined;
    const capStop = new AbortController();
    let conn: JobConnection | undefined;
    let hangUp: (() => void) | undefined;
    try {
      o.signal?.throwIfAborted();
      if (o.spendCapUsd !== undefined) {
        // The one read the cap needs: the order's spend and price now; from here on, arithmetic.
        const rented = await api.order();
        facts.order = rented;
        const money = rented && orderMoney(rented, { nowMs: Date.now() });
        if (money?.usdPerDay === undefined || money.spendUsd === undefined) {
          const why = rented
            ? `${money?.currency} without original_price_usd`
            : "my_orders could not be read with the stack's key";
          throw new JobSpendCapError({ capUsd: o.spendCapUsd, orderId, downloaded: [], unknownPrice: why });
        }
        watch = watchSpendCap({
          capUsd: o.spendCapUsd,
          spentUsd: money.spendUsd,
          usdPerDay: money.usdPerDay,
          readAtMs: clock.now(),
          reserveMs: Math.max(MIN_CAP_RESERVE_MS, upMs),
          clock,
          onCap: (spentUsd) => {
            log(
              `spend cap $${o.spendCapUsd!.toFixed(4)} nearly reached (≈$${spentUsd.toFixed(4)} spent): stopping the job`,
              "job",
            );
            capStop.abort(
              new JobSpendCapError({ capUsd: o.spendCapUsd!, spentUsd, approximate: true, orderId, downloaded: [] }),
            );
          },
        });
      }
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
      const c = new JobConnection(
        ssh,
        {
          connect: (waitMs) => link(waitMs),
          log,
          signal: o.signal,
          orderEnded: o.orderEnded ?? api.ask,
        },
        o.reconnect,
      );
      conn = c;
      // Stopping hangs up: the step in progress fails at once and the destroy follows.
      hangUp = () => void c.session.close();
      o.signal?.addEventListener("abort", hangUp, { once: true });
      o.signal?.throwIfAborted();
      const steps = await runSteps(c, o, log, {
        stop: capStop.signal,
        onDownloaded: (d, r) => facts.artifacts.push({ ...d, files: r.files, bytes: r.bytes }),
      }).catch((e: unknown) => Promise.reject(o.signal?.aborted ? o.signal.reason : e));
      return { ...steps, outages: c.outages };
    } finally {
      watch?.stop();
      if (hangUp) o.signal?.removeEventListener("abort", hangUp);
      facts.durationMs = performance.now() - started;
      await conn?.session.close();
      // One read at the end, before the destroy: what the order spent, and the server it ran on.
      // Never when the run is being cancelled (CI kills it seconds later: the destroy comes first),
      // and never for longer than FINAL_READ_MS.
      if (!o.signal?.aborted) facts.order = (await withinMs(api.order(), FINAL_READ_MS)) ?? facts.order;
      await api.close();
    }
  }).then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );

  const durationMs = facts.durationMs ?? performance.now() - started;
  const order = facts.order;
  const cost = order ? orderCost(order, durationMs) : undefined;
  let error = outcome.ok ? undefined : outcome.error;
  if (error instanceof JobSpendCapError) {
    // The spend as read before the destroy, and what came back.
    error = new JobSpendCapError(
      {
        capUsd: error.capUsd,
        spentUsd: cost?.usd ?? error.spentUsd,
        approximate: cost?.usd === undefined || cost.approximate,
        orderId: error.orderId,
        downloaded: facts.artifacts,
        ...(error.unknownPrice ? { unknownPrice: error.unknownPrice } : {}),
      },
      { cause: error.cause },
    );
  }
  const summary: JobSummary = {
    stackName: o.stackName,
    orderId: facts.orderId,
    serverId: order?.serverId,
    gpu: order && gpuOf(order),
    attempts: 1,
    durationMs,
    cost,
    exitCode: error === undefined ? 0 : exitCodeFor(error),
    artifacts: facts.artifacts,
    error: error === undefined ? undefined : firstLine(error),
  };
  log(summaryLine(summary), "job");
  appendStepSummary(summary, process.env, (l) => log(l, "job"));
  if (!outcome.ok) throw error;
  return {
    stackName: o.stackName,
    orderId: facts.orderId,
    serverId: summary.serverId,
    gpu: summary.gpu,
    attempts: summary.attempts,
    ...outcome.value,
    durationMs,
    cost,
    artifacts: facts.artifacts,
  };
}

function checkOptions(o: JobOptions): void {
  const cap = o.spendCapUsd;
  if (cap !== undefined && !(typeof cap === "number" && Number.isFinite(cap) && cap > 0))
    throw new ValidationError("runJob", [
      { path: "spendCapUsd", message: `must be a positive number of US dollars (got ${String(cap)})` },
    ]);
}

/** "NVIDIA GeForce RTX 4090", "2x NVIDIA GeForce RTX 3090", or the specs' GPU line. */
function gpuOf(o: Order): string | undefined {
  const list = o.gpu_array ?? [];
  if (list[0]) return list.length > 1 ? `${list.length}x ${list[0]}` : list[0];
  return o.specs?.gpu ?? undefined;
}

/** `p`'s value, or undefined once `ms` have passed. */
async function withinMs<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

function firstLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.split("\n")[0]!.trim();
}

/**
 * The API with the stack's key (`pulumiEnv` or this process's env; the shared limiter applies):
 * the order's end as the API reports it (orderFate: "ended" only when listed as ended), and the
 * order as my_orders lists it. Undefined answers without a key or an order id.
 */
function stackApi(orderId: number | undefined, env: Record<string, string> | undefined, rateLimitStore?: string) {
  const stackEnv = env ?? process.env;
  const settings = resolveSettings({ env: stackEnv });
  let client: CloreClient | undefined;
  const fate = async () => {
    // The stack's settings (its limiter store, intervals), so the job's reads share the key's limits.
    client ??= new CloreClient({
      apiKey: settings.apiKey,
      baseUrl: settings.baseUrl,
      env: stackEnv,
      rateLimitStore,
      rateLimitStoreSource: RATE_LIMIT_STORE_CONFIG,
    });
    return orderFate(client, orderId!);
  };
  const can = orderId !== undefined && Boolean(settings.apiKey);
  return {
    ask: can
      ? async () => {
          const f = await fate();
          return f.state === "ended" ? f.reason : undefined;
        }
      : undefined,
    order: async (): Promise<Order | undefined> => {
      if (!can) return undefined;
      const f = await fate().catch(() => undefined);
      return f && f.state !== "unknown" ? f.order : undefined;
    },
    close: () => client?.close(),
  };
}

function configValue(v: ConfigInput | undefined): string | undefined {
  return typeof v === "string" ? v : v?.value;
}
