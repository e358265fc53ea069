/**
 * One errors module for the whole package. Every error carries a stable string `code`
 * (like undici's UND_ERR_*), and `instanceof` works across two copies of the package in one
 * process (the program, the plugin and the CLI may each load their own): each error records
 * the names of its classes under a global symbol, and every class checks that record
 * (undici's `Symbol.hasInstance` brand). `isCloreError(e)` and `e.code` work too.
 *
 * No error message ever includes the API key, request headers or request bodies: the
 * Pulumi plugin prints errors with their stacks to the engine log.
 */

const BRAND = Symbol.for("pulumi-clore.error");

export type CloreErrorCode =
  | SshErrorCode // first, away from the end where new codes go (defined in the SSH block below)
  | "CLORE_API_ERROR"
  | "CLORE_DATABASE_ERROR"
  | "CLORE_INVALID_INPUT"
  | "CLORE_AUTH_FAILED"
  | "CLORE_INVALID_ENDPOINT"
  | "CLORE_RATE_LIMITED"
  | "CLORE_FIELD_ERROR"
  | "CLORE_TIMEOUT"
  | "CLORE_NETWORK_ERROR"
  | "CLORE_MALFORMED_RESPONSE"
  | "CLORE_MISSING_API_KEY"
  | "CLORE_VALIDATION_FAILED"
  | "CLORE_ORDER_OUTCOME_UNKNOWN"
  | "CLORE_ORDER_NOT_FOUND"
  | "CLORE_ORDER_ENDED"
  | "CLORE_READY_TIMEOUT"
  | "CLORE_JOB_NOT_FOUND"
  | "CLORE_JOB_LOST"
  | "CLORE_JOB_INTERRUPTED";

export class CloreError extends Error {
  readonly code: CloreErrorCode;
  constructor(code: CloreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
    // The class names from this one up to CloreError: what instanceof checks, by name.
    const kinds: string[] = [];
    for (let c: unknown = new.target; c && c !== Error; c = Object.getPrototypeOf(c))
      kinds.push((c as { name: string }).name);
    Object.defineProperty(this, BRAND, { value: kinds });
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    if (!isCloreError(value)) return false;
    const kinds = (value as unknown as Record<symbol, unknown>)[BRAND];
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class right of instanceof (a subclass too): that is the check.
    return Array.isArray(kinds) ? kinds.includes(this.name) : this === CloreError;
  }
}

export function isCloreError(e: unknown): e is CloreError {
  const brand = typeof e === "object" && e !== null ? (e as Record<symbol, unknown>)[BRAND] : undefined;
  // `true` is how copies before 0.2.0 branded their errors.
  return brand === true || Array.isArray(brand);
}

export interface ApiErrorDetails {
  /** The API's integer `code` (1-6). */
  apiCode: number;
  /** Endpoint name, e.g. `create_order`. */
  endpoint: string;
  httpStatus: number;
  /** The API's `error` string, for code 6 (e.g. `server-already-rented`). */
  apiError?: string;
  /** The whole response body (never contains the key: the API does not echo it). */
  response?: Record<string, unknown>;
}

/** The API answered with a non-zero `code`. */
export class CloreApiError extends CloreError {
  readonly apiCode: number;
  readonly endpoint: string;
  readonly httpStatus: number;
  readonly apiError?: string;
  readonly response?: Record<string, unknown>;
  constructor(details: ApiErrorDetails, hint?: string, code: CloreErrorCode = "CLORE_API_ERROR") {
    const what = details.apiError ? ` "${details.apiError}"` : "";
    super(
      code,
      `${details.endpoint}: Clore API code ${details.apiCode}${what} (HTTP ${details.httpStatus}).${hint ? ` ${hint}` : ""}`,
    );
    this.apiCode = details.apiCode;
    this.endpoint = details.endpoint;
    this.httpStatus = details.httpStatus;
    this.apiError = details.apiError;
    this.response = details.response;
  }
}

export class DatabaseError extends CloreApiError {
  constructor(d: ApiErrorDetails) {
    super(
      d,
      "The API reported a database error; it is usually transient. For create_order it can also mean a low balance, a just-rented server or an env value the API rejects; check `clore orders` before retrying.",
      "CLORE_DATABASE_ERROR",
    );
  }
}
export class InvalidInputError extends CloreApiError {
  constructor(d: ApiErrorDetails) {
    super(d, "The API rejected the request body; check the values you passed.", "CLORE_INVALID_INPUT");
  }
}
export class AuthError extends CloreApiError {
  constructor(d: ApiErrorDetails) {
    super(
      d,
      "The API key was rejected: check the key given (the apiKey option, CLORE_API_KEY or ~/.clore/config.json).",
      "CLORE_AUTH_FAILED",
    );
  }
}
export class InvalidEndpointError extends CloreApiError {
  constructor(d: ApiErrorDetails) {
    super(
      d,
      "The API does not know this endpoint; check the base URL (clore:baseUrl / CLORE_BASE_URL).",
      "CLORE_INVALID_ENDPOINT",
    );
  }
}
export class RateLimitError extends CloreApiError {
  constructor(d: ApiErrorDetails, retries = 0, waitedMs = 0) {
    super(
      d,
      `Rate limit still exceeded after ${retries} retries${waitedMs >= 1000 ? ` over ${Math.round(waitedMs / 1000)} s` : ""}. Another process or machine may be using the same key: wait a minute and try again, or share the key's limits (CLORE_RATE_LIMIT_STORE).`,
      "CLORE_RATE_LIMITED",
    );
  }
}
export class FieldError extends CloreApiError {
  constructor(d: ApiErrorDetails) {
    super(d, fieldErrorHint(d), "CLORE_FIELD_ERROR");
  }
}

/** Known code-6 error strings and what to do about them. */
function fieldErrorHint(d: ApiErrorDetails): string {
  const r = d.response ?? {};
  switch (d.apiError) {
    case "server-already-rented":
      return "The server is taken, by another renter or by an order of yours (`clore orders`). Pick another one (`clore search`), or adopt your order (adoptOrderId).";
    case "not_enough_balance":
      return "Your wallet balance is too low for this order. Top up or choose another currency (`clore wallets`).";
    case "server-offline":
      return "The server is offline. Pick another one (`clore search`).";
    case "currency-not-allowed":
      return "This server does not accept that currency; see its allowed_coins in `clore search --json`.";
    case "too_low_price":
      return `The spot bid is below the server's minimum${r.min_price !== undefined ? ` (${r.min_price})` : ""}; bid higher.`;
    case "exceeded_max_step":
      return `A spot bid can be lowered by at most ${r.max_step ?? "max_step"} per change; lower it in steps.`;
    case "can_lower_every_600_seconds":
      return `A spot bid can be lowered once every 600 s; try again in ${r.time_to_lowering ?? "a few"} s.`;
    default:
      return "";
  }
}

export class TimeoutError extends CloreError {
  readonly endpoint: string;
  constructor(endpoint: string, timeoutMs: number, options?: { cause?: unknown }) {
    super(
      "CLORE_TIMEOUT",
      `${endpoint}: no answer within ${timeoutMs} ms. Raise the client timeout or check your network.`,
      options,
    );
    this.endpoint = endpoint;
  }
}

export class NetworkError extends CloreError {
  readonly endpoint: string;
  constructor(endpoint: string, reason: string, options?: { cause?: unknown }) {
    super(
      "CLORE_NETWORK_ERROR",
      `${endpoint}: network error (${reason}). Check the base URL and your connection.`,
      options,
    );
    this.endpoint = endpoint;
  }
}

export class MalformedResponseError extends CloreError {
  readonly endpoint: string;
  readonly httpStatus: number;
  constructor(endpoint: string, httpStatus: number, reason: string) {
    super(
      "CLORE_MALFORMED_RESPONSE",
      `${endpoint}: the API sent a response we could not read (HTTP ${httpStatus}: ${reason}).`,
    );
    this.endpoint = endpoint;
    this.httpStatus = httpStatus;
  }
}

export const API_KEY_SOURCES = [
  "the apiKey option (Pulumi: `pulumi config set --secret clore:apiKey <key>`)",
  "the CLORE_API_KEY environment variable",
  "~/.clore/config.json (`clore config set api_key <key>`)",
];

export class MissingApiKeyError extends CloreError {
  constructor(endpoint?: string) {
    super(
      "CLORE_MISSING_API_KEY",
      `${endpoint ? `${endpoint}: ` : ""}no Clore API key found. Looked in: ${API_KEY_SOURCES.join("; ")}.`,
    );
  }
}

/** One problem with a value the caller gave, as data: the renderer makes text. */
export interface ValidationIssue {
  /** Dotted path of the field, e.g. `ports.22` or `spotPrice`. */
  path: string;
  /** What kind of mistake (zod's issue code, or `unknown_field`). */
  code?: string;
  message: string;
}

/** Bad input caught before any request was sent. */
export class ValidationError extends CloreError {
  readonly issues: ValidationIssue[];
  constructor(context: string, issues: ValidationIssue[]) {
    super(
      "CLORE_VALIDATION_FAILED",
      `${context}: ${issues.map((i) => `${i.path || "(input)"}: ${i.message}`).join("; ")}`,
    );
    this.issues = issues;
  }
}

/**
 * A paid write whose outcome we could not confirm. The order may exist: look in my_orders
 * (`clore orders`) before trying again, or you may pay for two servers.
 */
export class OrderOutcomeUnknownError extends CloreError {
  readonly serverId: number;
  /** Unix s (clock skew allowed for) from which the order, if it exists, shows as created: look for it with `newestOrderOn`. */
  readonly since?: number;
  constructor(serverId: number, reason: string, options?: { cause?: unknown; since?: number }) {
    super(
      "CLORE_ORDER_OUTCOME_UNKNOWN",
      `create_order on server ${serverId}: ${reason}. The order may exist and bill you: in a Pulumi stack run \`pulumi refresh\` (it finds the order and keeps it); elsewhere run \`clore orders\` and cancel or adopt it.`,
      options,
    );
    this.serverId = serverId;
    this.since = options?.since;
  }
}

/** An order did not get its endpoints, or its port did not answer, in time. It still runs and bills. */
export class ReadyTimeoutError extends CloreError {
  readonly orderId: number;
  readonly seconds: number;
  /** What was still missing: endpoints, or why the port did not answer. */
  readonly waitingFor: string;
  constructor(
    orderId: number,
    seconds: number,
    waitingFor: string,
    nextStep = `It keeps running and billing: wait longer, or cancel it (\`clore cancel ${orderId}\`).`,
  ) {
    super(
      "CLORE_READY_TIMEOUT",
      `order ${orderId} was not ready after ${seconds} s (still waiting for ${waitingFor}). ${nextStep}`,
    );
    this.orderId = orderId;
    this.seconds = seconds;
    this.waitingFor = waitingFor;
  }
}

export class OrderNotFoundError extends CloreError {
  readonly orderId: number;
  constructor(orderId: number) {
    super(
      "CLORE_ORDER_NOT_FOUND",
      `order ${orderId} is not among your active orders. It may have ended or been cancelled; see \`clore orders --completed\`.`,
    );
    this.orderId = orderId;
  }
}

/** The API lists the order as ended (cancelled, expired, outbid): positive evidence, not an absence. */
export class OrderEndedError extends CloreError {
  readonly orderId: number;
  constructor(orderId: number, reason: string) {
    super("CLORE_ORDER_ENDED", `order ${orderId} has ended (${reason}); see \`clore orders --completed\`.`);
    this.orderId = orderId;
  }
}

const BY_API_CODE: Record<number, new (d: ApiErrorDetails) => CloreApiError> = {
  1: DatabaseError,
  2: InvalidInputError,
  3: AuthError,
  4: InvalidEndpointError,
  5: RateLimitError,
  6: FieldError,
};

/** Map an API `code` to its error class; unknown codes get the base class. */
export function errorFromApi(d: ApiErrorDetails): CloreApiError {
  const Cls = BY_API_CODE[d.apiCode];
  return Cls ? new Cls(d) : new CloreApiError(d);
}

// ---- SSH ----
// Failures of pulumi-clore/ssh and of the job runner built on it (pulumi-clore/job). Messages
// name host, port, user and command, never a password, a key or an env value.

export type SshErrorCode =
  | "CLORE_SSH_AUTH_FAILED"
  | "CLORE_SSH_CONNECTION_REFUSED"
  | "CLORE_SSH_CONNECT_TIMEOUT"
  | "CLORE_SSH_HOST_KEY_MISMATCH"
  | "CLORE_SSH_CONNECTION_LOST"
  | "CLORE_SSH_COMMAND_FAILED"
  | "CLORE_SSH_COMMAND_TIMEOUT"
  | "CLORE_SSH_TRANSFER_FAILED"
  | "CLORE_JOB_CLEANUP_FAILED";

/** Where a session was connected: `root@127.0.0.1:22022`. */
export interface SshEndpoint {
  host: string;
  port: number;
  user: string;
}

/** A command that finished on the server, for "what had run" in later errors. */
export interface SshCommandRecord {
  command: string;
  exitCode: number | null;
  signal?: string;
  durationMs: number;
}

const sshAt = (e: SshEndpoint) => `ssh ${e.user}@${e.host}:${e.port}`;
/** Commands can be whole scripts: messages show their start. */
const shortCommand = (c: string) => {
  const line = c.trim().replace(/\s*\n\s*/g, "; ");
  return JSON.stringify(line.length > 80 ? `${line.slice(0, 77)}...` : line);
};
const tailText = (lines: readonly string[]) =>
  lines.length ? `\nLast lines of stderr:\n${lines.map((l) => `  ${l}`).join("\n")}` : " It wrote nothing to stderr.";
const historyText = (h: readonly SshCommandRecord[]) =>
  h.length
    ? ` Before it, ${h.map((c) => `${shortCommand(c.command)} exited ${c.exitCode ?? c.signal}`).join(", ")}.`
    : " Nothing had finished before it.";

abstract class SshError extends CloreError {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  constructor(code: SshErrorCode, at: SshEndpoint, message: string, options?: { cause?: unknown }) {
    super(code, `${sshAt(at)}: ${message}`, options);
    this.host = at.host;
    this.port = at.port;
    this.user = at.user;
  }
}

/** The server refused every credential offered. Not retried: the same password fails again. */
export class SshAuthError extends SshError {
  /** What was offered, e.g. ["password"] or ["publickey"]. */
  readonly methods: string[];
  constructor(at: SshEndpoint, methods: string[], options?: { cause?: unknown }) {
    const what = methods.length ? methods.join(" and ") : "no credentials";
    super(
      "CLORE_SSH_AUTH_FAILED",
      at,
      `the server refused the login (offered: ${what}). Use the sshPassword or sshKey the order was created with: the Clore API never returns them, so take them from where you set them (stack config, a CI secret).`,
      options,
    );
    this.methods = methods;
  }
}

/** Nothing accepted connections on the port for the whole wait. */
export class SshConnectionRefusedError extends SshError {
  readonly attempts: number;
  readonly waitedMs: number;
  constructor(at: SshEndpoint, attempts: number, waitedMs: number, options?: { cause?: unknown }) {
    super(
      "CLORE_SSH_CONNECTION_REFUSED",
      at,
      `connection refused for ${Math.round(waitedMs / 1000)} s (${attempts} attempts). Check that the order is still running ("clore orders") and publishes port 22 (ports: {"22": "tcp"}).`,
      options,
    );
    this.attempts = attempts;
    this.waitedMs = waitedMs;
  }
}

/** The port answered but no SSH handshake completed within the wait (sshd still starting, or not SSH). */
export class SshConnectTimeoutError extends SshError {
  readonly attempts: number;
  readonly waitedMs: number;
  /** The last attempt's failure, e.g. "connection closed before the SSH handshake". */
  readonly lastReason: string;
  constructor(at: SshEndpoint, attempts: number, waitedMs: number, lastReason: string, options?: { cause?: unknown }) {
    super(
      "CLORE_SSH_CONNECT_TIMEOUT",
      at,
      `no SSH handshake within ${Math.round(waitedMs / 1000)} s (${attempts} attempts; last: ${lastReason}). A fresh server's sshd can start well after its port opens: wait longer (waitMs), or check the image runs sshd.`,
      options,
    );
    this.attempts = attempts;
    this.waitedMs = waitedMs;
    this.lastReason = lastReason;
  }
}

/** The server showed a different host key than the one trusted earlier in this job. */
export class SshHostKeyMismatchError extends SshError {
  readonly expected: string;
  readonly actual: string;
  constructor(at: SshEndpoint, expected: string, actual: string) {
    super(
      "CLORE_SSH_HOST_KEY_MISMATCH",
      at,
      `host key ${actual} is not the trusted ${expected}. Another machine may answer on this address (the order ended and the port was reused?); check "clore orders" before sending anything to it.`,
    );
    this.expected = expected;
    this.actual = actual;
  }
}

/** The connection closed while a command or transfer was running. */
export class SshConnectionLostError extends SshError {
  /** What was running: a command, or "upload <path>" / "download <path>" (then `transfer` was set). */
  readonly during: string;
  readonly elapsedMs: number;
  /** Commands that had finished on this session before. */
  readonly completed: SshCommandRecord[];
  constructor(
    at: SshEndpoint,
    during: string,
    elapsedMs: number,
    completed: SshCommandRecord[],
    options: { cause?: unknown; transfer?: boolean } = {},
  ) {
    const after = options.transfer
      ? "The copy is incomplete: copy it again once connected."
      : "The command may still be running on the server; its outcome is unknown.";
    super(
      "CLORE_SSH_CONNECTION_LOST",
      at,
      `connection lost after ${(elapsedMs / 1000).toFixed(1)} s of ${shortCommand(during)}.${historyText(completed)} ${after}`,
      { cause: options.cause },
    );
    this.during = during;
    this.elapsedMs = elapsedMs;
    this.completed = completed;
  }
}

/** A command exited non-zero (or was killed by a signal). */
export class SshCommandFailedError extends SshError {
  readonly command: string;
  readonly exitCode: number | null;
  readonly signal?: string;
  readonly stderrTail: string[];
  constructor(
    at: SshEndpoint,
    command: string,
    exitCode: number | null,
    signal: string | undefined,
    stderrTail: string[],
  ) {
    const how = exitCode !== null ? `exited with code ${exitCode}` : `was killed by signal ${signal ?? "?"}`;
    super("CLORE_SSH_COMMAND_FAILED", at, `${shortCommand(command)} ${how}.${tailText(stderrTail)}`);
    this.command = command;
    this.exitCode = exitCode;
    this.signal = signal;
    this.stderrTail = stderrTail;
  }
}

/** A command ran past its timeout and was killed on the server. */
export class SshCommandTimeoutError extends SshError {
  readonly command: string;
  readonly timeoutMs: number;
  readonly stderrTail: string[];
  constructor(at: SshEndpoint, command: string, timeoutMs: number, stderrTail: string[]) {
    super(
      "CLORE_SSH_COMMAND_TIMEOUT",
      at,
      `${shortCommand(command)} ran longer than ${timeoutMs} ms and was killed (its process group got SIGTERM, then SIGKILL). Raise the timeout if the job needs longer.${tailText(stderrTail)}`,
    );
    this.command = command;
    this.timeoutMs = timeoutMs;
    this.stderrTail = stderrTail;
  }
}

/** An upload or download failed, or arrived with a size other than the source's. */
export class SshTransferError extends SshError {
  readonly direction: "upload" | "download";
  readonly localPath: string;
  readonly remotePath: string;
  readonly expectedBytes?: number;
  readonly actualBytes?: number;
  constructor(
    at: SshEndpoint,
    t: {
      direction: "upload" | "download";
      localPath: string;
      remotePath: string;
      reason: string;
      expectedBytes?: number;
      actualBytes?: number;
    },
    options?: { cause?: unknown },
  ) {
    const [from, to] =
      t.direction === "upload" ? [t.localPath, `remote ${t.remotePath}`] : [`remote ${t.remotePath}`, t.localPath];
    super("CLORE_SSH_TRANSFER_FAILED", at, `${t.direction} ${from} → ${to} failed: ${t.reason}.`, options);
    this.direction = t.direction;
    this.localPath = t.localPath;
    this.remotePath = t.remotePath;
    this.expectedBytes = t.expectedBytes;
    this.actualBytes = t.actualBytes;
  }
}

/** `pulumi destroy` of a job's ephemeral stack failed: its order may still bill. */
export class JobCleanupError extends CloreError {
  readonly stackName: string;
  readonly workDir: string;
  /** The job's own failure, if it failed too. */
  readonly jobError?: unknown;
  constructor(
    stackName: string,
    workDir: string,
    reason: string,
    options: { cause?: unknown; jobError?: unknown } = {},
  ) {
    super(
      "CLORE_JOB_CLEANUP_FAILED",
      `destroying the job stack "${stackName}" failed (${reason}); its server may still bill you. Run "pulumi destroy --yes --stack ${stackName}" in ${workDir}; the scheduled "clore orphans --expired --cancel --yes" cancels it once its ttl has passed.`,
      { cause: options.cause },
    );
    this.stackName = stackName;
    this.workDir = workDir;
    this.jobError = options.jobError;
  }
}

/** No detached job with this id on the server (another server, or its directory was removed). */
export class JobNotFoundError extends CloreError {
  readonly jobId: string;
  constructor(at: SshEndpoint, jobId: string) {
    super(
      "CLORE_JOB_NOT_FOUND",
      `${sshAt(at)}: no job ${jobId} on this server. Is it the server the job ran on? Its jobs are the directories in ~/.clore/jobs there.`,
    );
    this.jobId = jobId;
  }
}

/** A detached job's wrapper is gone without an exit code: it was SIGKILLed or the server restarted. */
export class JobLostError extends CloreError {
  readonly jobId: string;
  /** Bytes of its log that were read. */
  readonly logBytes: number;
  constructor(at: SshEndpoint, jobId: string, logBytes: number) {
    super(
      "CLORE_JOB_LOST",
      `${sshAt(at)}: job ${jobId} ended without an exit code (killed, or the server restarted); its log was read up to byte ${logBytes}. Start it again.`,
    );
    this.jobId = jobId;
    this.logBytes = logBytes;
  }
}

/**
 * The job runner gave up on a step it could not see to its end: the connection stayed lost
 * for the whole reconnect budget, or the API says the order ended. Says what ran, what is
 * lost, and that nothing more was downloaded.
 */
export class JobInterruptedError extends CloreError {
  readonly why: "reconnect-budget" | "order-ended";
  /** The step in progress: a command, or "upload <path>" / "download <path>". */
  readonly during: string;
  readonly jobId?: string;
  /** Bytes of the job's log shown before the outage. */
  readonly logBytes?: number;
  readonly completed: SshCommandRecord[];
  /** Commands that never started. */
  readonly notRun: string[];
  constructor(
    at: SshEndpoint,
    d: {
      why: "reconnect-budget" | "order-ended";
      detail: string;
      during: string;
      jobId?: string;
      logBytes?: number;
      completed: SshCommandRecord[];
      notRun: string[];
    },
    options?: { cause?: unknown },
  ) {
    const ran = d.completed.length
      ? `Ran: ${d.completed.map((c) => `${shortCommand(c.command)} (exit ${c.exitCode ?? c.signal})`).join(", ")}.`
      : "Nothing had finished before it.";
    const job = d.jobId ? ` (job ${d.jobId}, log shown up to byte ${d.logBytes ?? 0})` : "";
    const lost =
      d.why === "order-ended"
        ? "Lost with the server: the rest of its output, its exit code and its files."
        : d.jobId
          ? "Lost: the rest of its output and its exit code; it may still be running on the server until the stack is destroyed."
          : "Lost: this copy is incomplete.";
    const notRun = d.notRun.length ? ` Not run: ${d.notRun.map(shortCommand).join(", ")}.` : "";
    const next =
      d.why === "order-ended"
        ? "Run the job again on a new server."
        : "Run the job again; if the server was only briefly out of reach, raise the reconnect budget (reconnect.budgetMs).";
    super(
      "CLORE_JOB_INTERRUPTED",
      `${sshAt(at)}: ${shortCommand(d.during)}${job} did not finish here: ${d.detail}. ${ran} ${lost}${notRun} Nothing more was downloaded. ${next}`,
      options,
    );
    this.why = d.why;
    this.during = d.during;
    this.jobId = d.jobId;
    this.logBytes = d.logBytes;
    this.completed = d.completed;
    this.notRun = d.notRun;
  }
}
