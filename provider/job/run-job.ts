import { randomBytes } from "node:crypto";
import type { ConfigMap } from "@pulumi/pulumi/automation";
import {
  BadHosts,
  CloreClient,
  EVENTS_CONFIG,
  type JobArtifact,
  JobSpendCapError,
  type Order,
  type OrderCost,
  type OrderFate,
  RATE_LIMIT_STORE_CONFIG,
  ValidationError,
  orderCost,
  orderFate,
  orderMoney,
  resolveSettings,
  systemClock,
} from "../sdk";
import { type ConnectOptions, TrustOnFirstUse, connectSsh } from "../ssh";
import { type CheckpointOptions, type CheckpointSettings, parseCheckpointOptions } from "./checkpoint";
import { RESUME_ENV, withCheckpoints } from "./checkpoint-sync";
import { type DetachedJob, recordRun, startDetached } from "./detach";
import { JobConnection, type ReconnectOptions } from "./job-connection";
import { JobEvents, jobEventBus } from "./job-events";
import { type StackHandle, withEphemeralStack } from "./ephemeral-stack";
import { exitCodeFor } from "./exit-code";
import { type JobLog, ciLog } from "./job-log";
import { type JobSteps, type StepsResult, runSteps } from "./job-steps";
import { type JobSummary, appendStepSummary, summaryLine } from "./job-summary";
import { type SpendCapWatch, watchSpendCap } from "./spend-cap";
import { type Restart, RestartLedger, type RestartOptions, parseRestartPolicy, restartKind } from "./restart";

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
   * Stop the job before its spend passes this many US dollars: the command in progress is
   * stopped, the downloads run, the stack is destroyed and runJob throws JobSpendCapError. The
   * spend is the order's, read once after the up, plus its price for the time since (no
   * polling), plus what orders lost by earlier attempts had spent; the job stops early by the
   * time the up took (at least 30 s), kept in hand for the stop, downloads and destroy. Needs
   * the order's USD price (USD-Blockchain, or the API's original_price_usd). Default: no cap.
   */
  spendCapUsd?: number;
  /**
   * Lifecycle events of the job (started, reconnected, restarted, finished, failed) and of its
   * order: comma-separated `stdout`, `file:/path`, `https://…` webhook URLs. Default: the stack
   * config `clore:events` if given (the order's events then go there too), else CLORE_EVENTS in
   * `pulumiEnv` or this process's env. Given here, the stack's engine gets it as
   * CLORE_EVENTS too, so the order's events go to the same places. A malformed value throws
   * before anything is rented; a webhook never fails or holds the job (its end waits at most
   * the webhook timeout for deliveries).
   */
  events?: string;
  /**
   * Where the key's rate limits are kept, as the SDK's `rateLimitStore` (e.g. a `rediss://` URL
   * shared by every runner on the key). Set as the stack's secret `clore:rateLimitStore` for the
   * providers in `pulumi up`/`destroy`, and used by the runner's own API reads. Default: the
   * stack config `clore:rateLimitStore` if given, else CLORE_RATE_LIMIT_STORE of `pulumiEnv` or
   * this process's env.
   */
  rateLimitStore?: string;
  /**
   * When to start the job again (restart.ts, RestartPolicy): `onServerLost` (restarts on a new
   * server when the API says the order ended; default 0), `onExitCodes` (restart on the same
   * server), `budget` (at most `max` restarts per `windowMs`; default 3 per hour). Each attempt
   * sees CLORE_JOB_ATTEMPT=<n> and, from the second on, CLORE_JOB_RESUME=1.
   */
  restart?: RestartOptions;
  /**
   * Checkpoints (docs/jobs.md, "Checkpoints"): `remoteDir` is pulled into `localDir` every
   * `intervalMs` (default 60 000) while the commands run and once at the end; files already in
   * `localDir` are pushed to `remoteDir` first (on every attempt, so a restart on a new server
   * resumes from the last pull), and the commands then see `CLORE_JOB_RESUME=1`.
   */
  checkpoint?: CheckpointOptions;
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
  /** Connections lost and recovered during the job (every attempt). */
  outages: number;
  /** Runs of the job: 1 plus the restarts. */
  attempts: number;
  /** Why each earlier attempt was restarted. */
  restarts: Restart[];
  durationMs: number;
  /** The server of the last attempt, and its GPU model (e.g. "NVIDIA GeForce RTX 4090", "2x …" for several). */
  serverId?: number;
  gpu?: string;
  /** The last order's spend (my_orders, read before the destroy) in its currency and in USD; see `approximate`. */
  cost?: OrderCost;
  /** What each download brought back. */
  artifacts: JobArtifact[];
}

/** Kept in hand under a spend cap: the stop, the downloads and the destroy bill too. */
const MIN_CAP_RESERVE_MS = 30_000;
/** The cost read at the end waits no longer than this before the destroy goes ahead without it. */
const FINAL_READ_MS = 15_000;

/** What the summary says, in every outcome: filled in as the job goes. */
interface JobFacts {
  orderId?: number;
  /** The order as my_orders listed it: at the end, or (`atEnd` false) when the cap's read was made. */
  order?: Order;
  atEnd?: boolean;
  attempts: number;
  /** How long the first `pulumi up` took: the spend cap keeps that much in hand. */
  upMs: number;
  /** USD spent by orders earlier attempts lost. */
  spentBeforeUsd: number;
  durationMs?: number;
  artifacts: JobArtifact[];
  /** Connections lost and recovered, over every attempt. */
  outages: number;
}

/**
 * A CI job on a rented server, start to finish: `pulumi up` an ephemeral stack, log in over
 * SSH (waiting for sshd), upload, run the commands with their output live in the log, download
 * the artifacts, and `pulumi destroy` the stack in every case — also when a command fails or
 * the up itself fails. Throws the job's failure after the destroy (`exitCodeFor(e)` gives the
 * exit code for the script); a failed destroy throws JobCleanupError. With `restart`, a lost
 * server (the API says the order ended) is replaced by another from the same stack and the
 * job started again (docs/jobs.md, "Restart when the server is lost").
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
  // A malformed setting throws here, before anything is rented.
  const events = new JobEvents(
    jobEventBus(o.events, configValue(o.config?.[EVENTS_CONFIG]), o.pulumiEnv ?? process.env),
    o.stackName,
    o.commands,
  );
  const pulumiEnv = o.events
    ? { ...(o.pulumiEnv ?? (process.env as Record<string, string>)), CLORE_EVENTS: o.events }
    : o.pulumiEnv;
  try {
    const result = await runJobOn(o, pulumiEnv, events, started);
    if (!result.detached) events.finished(result);
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
  // A mistake in the policy fails here, naming the field, before anything is rented.
  const policy = parseRestartPolicy(o.restart);
  const checkpoint = o.checkpoint === undefined ? undefined : parseCheckpointOptions(o.checkpoint);
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
    keepOnSuccess: o.detach,
  };
  if (o.detach && o.commands.length === 0)
    throw new ValidationError("runJob", [
      { path: "commands", message: "detach needs a command to start; it is empty" },
    ]);
  const api = jobApi(pulumiEnv, rateLimitStore);
  const facts: JobFacts = { attempts: 0, upMs: 0, spentBeforeUsd: 0, artifacts: [], outages: 0 };
  const upStarted = systemClock.now();
  const outcome = await withEphemeralStack(stack, async (first, handle) => {
    facts.upMs = systemClock.now() - upStarted;
    const ledger = new RestartLedger(policy);
    let outputs = first;
    try {
      for (let attempt = 1; ; attempt++) {
        const server = serverOf(outputs, o.stackName);
        facts.orderId = server.orderId;
        facts.attempts = attempt;
        events.orderId = server.orderId;
        try {
          const r = await runAttempt(
            o,
            { ...server, user, password },
            { attempt, checkpoint, handle, facts, events },
            api,
            log,
          );
          return { ...r, outages: facts.outages, restarts: ledger.restarts };
        } catch (e) {
          if (o.signal?.aborted) throw o.signal.reason;
          // A server the API says is gone is avoided from now on, restart or not.
          const lost = restartKind(e, policy) === "server-lost" ? await markLost(api, server.orderId, log) : undefined;
          const next = ledger.next(e, attempt, server.orderId);
          if ("error" in next) throw next.error;
          if (next.restart.kind === "server-lost") {
            assertEnded(lost, server.orderId, o.stackName);
            // What the lost order spent still counts against the cap.
            const spent =
              lost?.state === "ended" && lost.order
                ? orderCost(lost.order, performance.now() - started).usd
                : undefined;
            facts.spentBeforeUsd += spent ?? 0;
            facts.order = undefined;
            facts.atEnd = false;
            log(`attempt ${attempt} lost its server; renting another (restart ${ledger.restarts.length})`, "job");
            events.restartedAttempt(attempt + 1, "its server was lost");
            outputs = await handle.upAgain();
            const again = serverOf(outputs, o.stackName).orderId;
            if (again === server.orderId) {
              throw new Error(
                `stack ${o.stackName} still holds order ${again} after the refresh; the job was not restarted.`,
                { cause: e },
              );
            }
          } else {
            log(`attempt ${attempt} exited with a restart code; starting it again on the same server`, "job");
            events.restartedAttempt(attempt + 1, "it exited with a restart code");
          }
        }
      }
    } finally {
      facts.durationMs = performance.now() - started;
      // One read at the end, before the destroy: what the order spent, and the server it ran on.
      // Never when the run is being cancelled (CI kills it seconds later: the destroy comes first),
      // and never for longer than FINAL_READ_MS.
      const last =
        o.signal?.aborted || facts.orderId === undefined
          ? undefined
          : await withinMs(api.order(facts.orderId), FINAL_READ_MS);
      if (last) Object.assign(facts, { order: last, atEnd: true });
    }
  })
    .then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    )
    .finally(() => api.close());

  const durationMs = facts.durationMs ?? performance.now() - started;
  const order = facts.order;
  // Without the read at the end, an earlier spend would understate the cost: price × duration then (≈).
  const cost = order ? orderCost(facts.atEnd ? order : { ...order, spend: undefined }, durationMs) : undefined;
  let error = outcome.ok ? undefined : outcome.error;
  if (error instanceof JobSpendCapError) {
    // The spend as read before the destroy, and what came back.
    const usd = cost?.usd === undefined ? undefined : cost.usd + facts.spentBeforeUsd;
    error = new JobSpendCapError(
      {
        capUsd: error.capUsd,
        spentUsd: usd ?? error.spentUsd,
        approximate: usd === undefined || Boolean(cost?.approximate),
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
    attempts: Math.max(facts.attempts, 1),
    durationMs,
    cost,
    exitCode: error === undefined ? 0 : exitCodeFor(error),
    artifacts: facts.artifacts,
    error: error === undefined ? undefined : firstLine(error),
  };
  if (!(outcome.ok && outcome.value.detached)) {
    log(summaryLine(summary), "job");
    appendStepSummary(summary, process.env, (l) => log(l, "job"));
  }
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

interface Server {
  host: string;
  port: number;
  orderId?: number;
}

function serverOf(outputs: Record<string, unknown>, stackName: string): Server {
  const host = outputs.sshHost;
  const port = Number(outputs.sshPort);
  if (typeof host !== "string" || !host || !Number.isInteger(port)) {
    throw new Error(
      `stack ${stackName} exports no sshHost/sshPort: the program must publish port 22 (ports: {"22": "tcp"}) and export the order's sshHost and sshPort.`,
    );
  }
  return { host, port, orderId: Number(outputs.orderId) || undefined };
}

/** One attempt: log in to the server, run the steps (with the attempt in their env), close. */
async function runAttempt(
  o: JobOptions,
  server: Server & { user: string; password?: string },
  {
    attempt,
    checkpoint,
    handle,
    facts,
    events,
  }: { attempt: number; checkpoint?: CheckpointSettings; handle: StackHandle; facts: JobFacts; events: JobEvents },
  api: JobApi,
  log: JobLog,
): Promise<StepsResult & Pick<JobResult, "detached">> {
  const { host, port, user, orderId } = server;
  o.signal?.throwIfAborted();
  const capStop = new AbortController();
  // The cap's one read, before the login: an order whose price is unknown fails here.
  const cap = o.spendCapUsd === undefined ? undefined : await capStart(o.spendCapUsd, orderId, facts, api);
  log(`order ${orderId ?? "?"} is up; logging in as ${user}@${host}:${port}`, "job");
  const target = { host, port, user, password: server.password, privateKey: o.ssh?.privateKey };
  // One policy per server: a reconnect must show the host key the first login saw.
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
  const conn: JobConnection = new JobConnection(
    ssh,
    {
      connect: (waitMs) => link(waitMs),
      log,
      signal: o.signal,
      orderEnded: o.orderEnded ?? (orderId !== undefined ? api.orderEnded(orderId) : undefined),
      onLost: (at) => events.lost(at),
      onReconnected: (at, outageMs) => events.reconnected(at, outageMs, conn.outages),
    },
    o.reconnect,
  );
  // Stopping hangs up: the step in progress fails at once and the destroy follows.
  const hangUp = () => void conn.session.close();
  o.signal?.addEventListener("abort", hangUp, { once: true });
  const watch: SpendCapWatch | undefined = cap?.((spentUsd) => {
    log(
      `spend cap $${o.spendCapUsd!.toFixed(4)} nearly reached (≈$${spentUsd.toFixed(4)} spent): stopping the job`,
      "job",
    );
    capStop.abort(
      new JobSpendCapError({ capUsd: o.spendCapUsd!, spentUsd, approximate: true, orderId, downloaded: [] }),
    );
  });
  const control = {
    stop: capStop.signal,
    onDownloaded: (d: { local: string; remote: string }, r: { files: number; bytes: number }) =>
      facts.artifacts.push({ ...d, files: r.files, bytes: r.bytes }),
  };
  const env = { ...o.env, CLORE_JOB_ATTEMPT: String(attempt), ...(attempt > 1 ? { [RESUME_ENV]: "1" } : {}) };
  try {
    o.signal?.throwIfAborted();
    const steps = await withCheckpoints<StepsResult & { detached?: DetachedJob }>(
      { conn, checkpoint, commands: o.commands, log },
      async (resume) => {
        const job = { ...o, env: { ...env, ...resume } };
        // The run's plan on the server first: another process can carry it on if this one dies.
        const record = await recordRun(conn, handle.stack, job, hostKeys.trusted(host, port), log);
        if (!(o.detach && record))
          return runSteps(conn, job, log, { ...control, ids: record?.steps.map((s) => s.jobId) });
        return startDetached(conn, job, record, { orderId, host, port }, log);
      },
    ).catch((e: unknown) => Promise.reject(o.signal?.aborted ? o.signal.reason : e));
    const { commands, uploaded, downloaded, detached } = steps;
    return { commands, uploaded, downloaded, ...(detached ? { detached } : {}) };
  } finally {
    facts.outages += conn.outages;
    watch?.stop();
    o.signal?.removeEventListener("abort", hangUp);
    await conn.session.close();
  }
}

/**
 * The spend cap's one read: the order's spend and price now (from here on, arithmetic), plus
 * what earlier attempts' orders spent. Returns the watch to start; JobSpendCapError at once
 * when the order's USD price cannot be known.
 */
async function capStart(capUsd: number, orderId: number | undefined, facts: JobFacts, api: JobApi) {
  const rented = orderId === undefined ? undefined : await api.order(orderId);
  facts.order = rented ?? facts.order;
  const money = rented && orderMoney(rented, { nowMs: Date.now() });
  if (money?.usdPerDay === undefined || money.spendUsd === undefined) {
    const why = rented
      ? `${money?.currency} without original_price_usd`
      : "my_orders could not be read with the stack's key";
    throw new JobSpendCapError({ capUsd, orderId, downloaded: [], unknownPrice: why });
  }
  const readAtMs = systemClock.now();
  return (onCap: (spentUsd: number) => void) =>
    watchSpendCap({
      capUsd,
      spentUsd: facts.spentBeforeUsd + money.spendUsd!,
      usdPerDay: money.usdPerDay!,
      readAtMs,
      reserveMs: Math.max(MIN_CAP_RESERVE_MS, facts.upMs),
      clock: systemClock,
      onCap,
    });
}

/** The lost order's fate as the API says it; an ended order's server is avoided by find-and-rent for a while. */
async function markLost(api: JobApi, orderId: number | undefined, log: JobLog): Promise<OrderFate | undefined> {
  if (orderId === undefined) return undefined;
  const fate = await api.fate(orderId).catch((e: unknown): OrderFate => ({ state: "unknown", reason: String(e) }));
  const serverId = fate.state === "ended" ? fate.order?.serverId : undefined;
  if (fate.state === "ended" && serverId !== undefined) {
    const b = api.badHosts()?.mark(serverId, fate.order?.image ?? undefined, "lost-mid-job");
    if (b) log(`server ${serverId} is avoided by find-and-rent until ${new Date(b.until).toISOString()}`, "job");
  }
  return fate;
}

/** Before renting again: the API must say the old order ended. Never two live orders for one job; "unknown" is not "ended". */
function assertEnded(fate: OrderFate | undefined, orderId: number | undefined, stackName: string): void {
  if (fate?.state === "ended") return;
  const why = !fate
    ? "the stack exports no orderId"
    : fate.state === "live"
      ? "the API lists it as active"
      : `the API does not say it ended: ${fate.reason}`;
  throw new Error(
    `stack ${stackName}: not renting another server, as order ${orderId ?? "?"} may still be live (${why}); never two servers for one job.`,
  );
}

type JobApi = ReturnType<typeof jobApi>;

/** The API with the stack's key: the order's fate (orderFate: "ended" only when listed as ended) and the bad-host list. */
function jobApi(env: Record<string, string> | undefined, rateLimitStore?: string) {
  const all = { ...process.env, ...env };
  const settings = resolveSettings({ env: env ?? process.env });
  let client: CloreClient | undefined;
  const get = () => {
    if (!settings.apiKey) return undefined;
    client ??= new CloreClient({
      apiKey: settings.apiKey,
      baseUrl: settings.baseUrl,
      env: env ?? process.env,
      rateLimitStore,
      rateLimitStoreSource: RATE_LIMIT_STORE_CONFIG,
    });
    return client;
  };
  return {
    /** Why the order ended, or undefined (live, unknown, or no key). */
    orderEnded: (orderId: number) =>
      settings.apiKey
        ? async () => {
            const fate = await orderFate(get()!, orderId);
            return fate.state === "ended" ? fate.reason : undefined;
          }
        : undefined,
    /** The order as my_orders lists it (active or ended); undefined when no answer can tell. */
    order: async (orderId: number): Promise<Order | undefined> => {
      const c = get();
      const f = c ? await orderFate(c, orderId).catch(() => undefined) : undefined;
      return f && f.state !== "unknown" ? f.order : undefined;
    },
    fate: async (orderId: number): Promise<OrderFate> => {
      const c = get();
      return c ? orderFate(c, orderId) : { state: "unknown", reason: "no API key (CLORE_API_KEY) to ask with" };
    },
    badHosts: () => {
      const c = get();
      return c ? new BadHosts(c.account, { env: all }) : undefined;
    },
    close: async () => {
      await client?.close();
    },
  };
}

function configValue(v: ConfigInput | undefined): string | undefined {
  return typeof v === "string" ? v : v?.value;
}
