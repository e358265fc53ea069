import { isCloreError, type ValidationIssue } from "../sdk";

/** Exit codes: the contract scripts rely on. */
export const EXIT = {
  OK: 0,
  /** The user or the API said no: a clear message and the next command to try. */
  USER_ERROR: 1,
  /** A bug in clore: the message asks for --debug and a report. */
  BUG: 2,
  /** Some of the work was done (e.g. 2 of 3 cancels): the rest is listed. */
  PARTIAL: 3,
} as const;

/** A failure the user can fix: one line saying what happened, one saying what to run next. */
export class CliError extends Error {
  readonly hint?: string;
  readonly exitCode: number;
  constructor(message: string, options: { hint?: string; exitCode?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = "CliError";
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? EXIT.USER_ERROR;
  }
}

/** Validation issues in CLI terms: `--spot-price is required when type is 'spot'`. */
export function validationError(
  command: string,
  issues: ValidationIssue[],
  flagFor: (path: string) => string,
): CliError {
  const parts = issues.map((i) => {
    const [head, ...rest] = i.path.split(/(?=[.[])/);
    const flag = flagFor(head ?? "");
    const sub = rest.join("").replace(/^\./, "");
    return `${flag}${sub ? ` ${JSON.stringify(sub)}` : ""} ${i.message}`;
  });
  return new CliError(`invalid ${command} options: ${parts.join("; ")}`, {
    hint: `Run "clore ${command} --help" to see the options.`,
  });
}

/** Code-6 errors the SDK has no advice for (the emulator's invented strings included). */
function fieldErrorHint(apiError: string | undefined, endpoint: string | undefined): string | undefined {
  if (apiError === "not_spot_order")
    return 'Only spot orders have a bid; the TYPE column of "clore orders" shows which are spot.';
  if (!apiError || !/not[_-]?found|unknown|no[_-]such/i.test(apiError)) return undefined;
  if (endpoint === "server_config" || endpoint === "set_server_settings")
    return 'Run "clore servers" to list the servers you host.';
  if (endpoint === "create_order" || endpoint === "spot_marketplace")
    return 'Run "clore search --all" to list marketplace servers.';
  return 'Run "clore orders" to list your active orders.';
}

/** What the CLI adds to an SDK error: the next command to try, by stable error code. */
function hintForSdkError(e: { code: string; apiError?: string; endpoint?: string }): string | undefined {
  // The SDK's own message already names the next step for CLORE_ORDER_NOT_FOUND,
  // CLORE_ORDER_OUTCOME_UNKNOWN, CLORE_RATE_LIMITED and the known code-6 strings.
  switch (e.code) {
    case "CLORE_MISSING_API_KEY":
      return 'Run "clore config set api_key <key>", set CLORE_API_KEY, or pass --api-key <key>.';
    case "CLORE_AUTH_FAILED":
      return 'Check which key is used with "clore config show"; set a new one with "clore config set api_key <key>".';
    case "CLORE_NETWORK_ERROR":
    case "CLORE_TIMEOUT":
    case "CLORE_INVALID_ENDPOINT":
      return 'Check the API address ("clore config show"; --base-url or CLORE_BASE_URL) and your connection.';
    case "CLORE_FIELD_ERROR":
      return fieldErrorHint(e.apiError, e.endpoint);
    default:
      return undefined;
  }
}

/** Facts about the run that make error messages precise (never the key itself). */
export interface ErrorContext {
  /** Where the API key came from: "option", "env" or "config-file". */
  keySource?: string;
  configPath?: string;
}

const KEY_SOURCE_NAMES: Record<string, string> = {
  option: "--api-key",
  env: "CLORE_API_KEY",
  "config-file": "the config file",
};

/**
 * The SDK's messages for a missing or rejected key name Pulumi config first (they serve the
 * provider too); on the command line we name the CLI's own places instead.
 */
function cliMessageFor(
  e: { code: string; message: string; endpoint?: string; httpStatus?: number },
  c: ErrorContext,
): string {
  const where = c.configPath ?? "~/.clore/config.json";
  if (e.code === "CLORE_MISSING_API_KEY")
    return `no Clore API key found (looked at --api-key, CLORE_API_KEY and ${where}).`;
  if (e.code === "CLORE_AUTH_FAILED") {
    const from = c.keySource
      ? ` from ${c.keySource === "config-file" ? where : (KEY_SOURCE_NAMES[c.keySource] ?? c.keySource)}`
      : "";
    return `${e.endpoint ? `${e.endpoint}: ` : ""}the API rejected the key${from} (code 3, HTTP ${e.httpStatus ?? "?"}).`;
  }
  return e.message;
}

export interface ReportedError {
  exitCode: number;
  lines: string[];
}

/**
 * Turn anything thrown into stderr lines and an exit code. Known failures (CLI or SDK
 * errors) are one line plus a hint, exit 1; anything else is a bug, exit 2. Stacks only
 * with --debug.
 */
export function reportError(e: unknown, debug: boolean, context: ErrorContext = {}): ReportedError {
  const lines: string[] = [];
  let exitCode: number;
  if (e instanceof CliError) {
    exitCode = e.exitCode;
    lines.push(`Error: ${e.message}`);
    if (e.hint) lines.push(e.hint);
  } else if (isCloreError(e)) {
    exitCode = EXIT.USER_ERROR;
    lines.push(`Error: ${cliMessageFor(e as unknown as { code: string; message: string }, context)}`);
    const hint = hintForSdkError(e as unknown as { code: string; apiError?: string });
    if (hint) lines.push(hint);
  } else {
    exitCode = EXIT.BUG;
    const msg = e instanceof Error ? e.message : String(e);
    lines.push(`Unexpected error: ${msg}`);
    lines.push(
      debug
        ? "This is a bug in clore; please report it with the stack below."
        : "This is a bug in clore. Run the command again with --debug and report the output.",
    );
  }
  if (debug) {
    for (let cur: unknown = e, depth = 0; cur && depth < 5; cur = (cur as Error).cause, depth++) {
      const stack = cur instanceof Error ? cur.stack : String(cur);
      lines.push(depth === 0 ? String(stack) : `Caused by: ${stack}`);
    }
  }
  return { exitCode, lines };
}
