import type { Currency } from "../sdk";

/**
 * Every tunable of the emulator. Times are in *virtual* milliseconds (the API's own clock):
 * at `timeScale: 0.01` a 20 s boot takes 200 ms of real time. Options marked INFERRED model
 * behaviour no public source shows (docs/api-notes.md §9); their defaults are the spec's suggestions,
 * so a test that depends on one should set it explicitly.
 *
 * The object is read on every request: change `emulator.options.x` (or PATCH
 * /_emulator/options) at runtime and the next request sees it.
 */
export interface EmulatorOptions {
  /** Real seconds per virtual second. 0.01 makes a 20 s boot take 200 ms and the 1 req/s limit 10 ms. Default 1. */
  timeScale: number;
  /** The demo API key. Default "clore-emulator-demo-key". */
  apiKey: string;
  /** More valid keys. They share one account (orders, wallets) but each has its own rate limits. */
  apiKeys: string[];

  // ---- wire errors (docs/api-notes.md §2) ----
  /** HTTP status for code 3 (bad or missing `auth`). 401 is observed; the `{"code":3}` body is INFERRED. */
  unauthorizedHttpStatus: number;
  /** marketplace without a key. The reference Python SDK documents it as public. Default false. */
  marketplaceRequiresAuth: boolean;
  /** HTTP status for code 4 (unknown endpoint). INFERRED, default 404. */
  invalidEndpointHttpStatus: number;
  /** HTTP status for code 2 (request failed the endpoint's zod schema). INFERRED, default 400. */
  invalidInputHttpStatus: number;
  /** HTTP status for code 1 (database error). One client saw 500 on create_order. Default 500. */
  databaseErrorHttpStatus: number;
  /** HTTP status for code 6 (`error` field). 200 is observed. */
  fieldErrorHttpStatus: number;
  /** A method other than the table's (e.g. POST /wallets) → HTTP 405 `{"code":4}`. INFERRED, default true. */
  rejectWrongMethod: boolean;
  /** server_config also accepts POST with the same body (docs/api-notes.md §6.3: unknown). INFERRED, default true. */
  serverConfigAcceptsPost: boolean;
  /** server_config also takes `?server_name=` when there is no body. INFERRED, default true. */
  serverConfigAcceptsQuery: boolean;
  /** Send `"error": null` on successes, as some VP 2.x types allow. INFERRED, default false. */
  errorNullOnSuccess: boolean;
  /** Error strings no source shows; we had to invent them (all code 6). */
  inventedErrors: {
    /** cancel_order / set_spot_price on an unknown or ended order. INVENTED. */
    orderNotFound: string;
    /** create_order / set_server_settings / server_config naming a server that does not exist for you. INVENTED. */
    serverNotFound: string;
    /** set_spot_price on an on-demand order. INVENTED. */
    notSpotOrder: string;
  };

  // ---- rate limits (docs/api-notes.md §3) ----
  /** Enforce rate limits at all. Default true. */
  rateLimit: boolean;
  /** Minimum gap between two requests with one key (1 request/s). Default 1000. */
  generalIntervalMs: number;
  /** Minimum gap between two requests on the "create" lane (create_order, create_gigaspot_orders). Default 5000. */
  createIntervalMs: number;
  /** A create also uses (and must respect) the 1/s budget. Undocumented; INFERRED, default true (the SDK assumes so). */
  createCountsTowardGeneral: boolean;
  /** A 429'd request restarts the window (a client hammering stays locked out). INFERRED, default false. */
  rejectedRequestsCount: boolean;
  /**
   * Real milliseconds of slack on every window, for jitter between a client's send and the
   * emulator's arrival time (a client and the emulator in one process share an event loop).
   * Default 0: strict, like the API.
   */
  rateLimitToleranceMs: number;
  /** Send `Retry-After` (seconds) with 429s. No evidence the API does; default false. */
  sendRetryAfter: boolean;

  // ---- order lifecycle (docs/api-notes.md §7) ----
  /** Delay from create_order until the order shows in my_orders. INFERRED (docs/api-notes.md §7: it can lag), default 0. */
  orderVisibleDelayMs: number;
  /** Further delay until the container runs and endpoints appear. INFERRED, default 20000. */
  bootDelayMs: number;
  /** Before boot, `pub_cluster`/`tcp_ports`/`http_pub` are empty ("empty") or left out ("absent"). INFERRED, default "empty". */
  provisioningFields: "empty" | "absent";
  /** How long a cancelled order stays in the active list (one client saw it linger). INFERRED, default 0. */
  cancelLingerMs: number;
  /** cancel_order on an unknown / ended order: code 6 `inventedErrors.orderNotFound` ("error") or `{"code":0}` ("ok"). INFERRED, default "error". */
  cancelUnknown: "error" | "ok";
  /** Orders end (expired) once `mrl` hours have passed. INFERRED, default true. */
  endOrdersAfterMrl: boolean;
  /** Host name put in `pub_cluster`. Default "127.0.0.1" (where the emulator's port listeners are). */
  publicHost: string;
  /** Domain of the made-up `http_pub` host names (`<token>.<domain>`). Not resolvable; default "http.emulator.invalid". */
  httpPubDomain: string;
  /** Open a real TCP listener on 127.0.0.1 for every public tcp port while the order runs. Default true. */
  listenTcpPorts: boolean;
  /**
   * With listenTcpPorts, the port mapped from container port 22 is a real SSH server (ssh2's
   * server side): root logs in with the order's sshPassword or sshKey; exec and shell run
   * /bin/sh in a per-order sandbox directory (also the SFTP root) with the order's env, and the
   * order's `command` runs there at boot. A local stand-in on 127.0.0.1, NOT isolation: commands
   * run as the user running the emulator. Default true; false keeps the plain listener (sshBanner).
   */
  sshd: boolean;
  /** sshd comes up this long after the container (connections are accepted and closed at once until then), as a fresh server's does. Default 0. */
  sshdStartDelayMs: number;
  /** Banner written to connections on container port 22 when `sshd` is off. Default "SSH-2.0-CloreEmulator\r\n". */
  sshBanner: string;
  /** First public port handed out when `listenTcpPorts` is false (the OS picks them otherwise). Default 20000. */
  fakePortBase: number;
  /** The http port is listed in `tcp_ports` as well. INFERRED, default false. */
  httpPortInTcpPorts: boolean;
  /** Maximum ports per order (0 = no limit); more → code 2. INFERRED, default 0. */
  maxPortsPerOrder: number;

  // ---- create_order outcomes (docs/api-notes.md §2, §6.10) ----
  /** An env value containing "&" → HTTP 500 code 1, and the order is created anyway (one client's report). Default false. */
  rejectAmpersandInEnv: boolean;
  /** `required_price` ≠ current on-demand price: "database-error" (opaque code 1, as a client reported) or "ignore". INFERRED, default "database-error". */
  requiredPriceMismatch: "database-error" | "ignore";
  /** Code for a low balance: 6 + `not_enough_balance` (docs table) or 1 (one client's experience). Default 6. */
  notEnoughBalanceCode: 6 | 1;
  /** The wallet must cover the creation fee plus this many hours of rent. INFERRED, default 1. */
  minBalanceHours: number;
  /** When `spend` starts growing: at create or when the container is online. INFERRED, default "online". */
  billingStartsAt: "create" | "online";
  /** Offline servers still appear in /marketplace (create on them → `server-offline`). INFERRED, default true. */
  listOfflineServers: boolean;
  /** You may rent a server you host yourself. INFERRED, default true. */
  allowRentingOwnServer: boolean;
  /** Include `my_servers` (ids of your servers) in /marketplace, as the docs example does. Default true. */
  marketplaceIncludesMyServers: boolean;

  // ---- spot (docs/api-notes.md §6.8) ----
  /** Largest allowed reduction per set_spot_price, per currency. Docs: 0.000001 BTC; others INFERRED. */
  spotMaxStep: Record<Currency, number>;
  /** Minimum time between two reductions. Default 600000 (600 s). */
  spotLowerIntervalMs: number;
  /** `code` of the exceeded_max_step / can_lower_every_600_seconds answers. INFERRED, default 6. */
  spotErrorCode: number;
  /** HTTP status of those answers. INFERRED, default 200. */
  spotErrorHttpStatus: number;

  /** Entries kept in `emulator.requests` (oldest dropped first). Default 10000. */
  maxLoggedRequests: number;

  // ---- limits shown in responses ----
  /** `limit` in my_orders (meaning undocumented). Default 50. */
  myOrdersLimit: number;
  /** `limit` in my_servers. Default 100. */
  myServersLimit: number;
}

export const DEFAULT_OPTIONS: EmulatorOptions = {
  timeScale: 1,
  apiKey: "clore-emulator-demo-key",
  apiKeys: [],

  unauthorizedHttpStatus: 401,
  marketplaceRequiresAuth: false,
  invalidEndpointHttpStatus: 404,
  invalidInputHttpStatus: 400,
  databaseErrorHttpStatus: 500,
  fieldErrorHttpStatus: 200,
  rejectWrongMethod: true,
  serverConfigAcceptsPost: true,
  serverConfigAcceptsQuery: true,
  errorNullOnSuccess: false,
  inventedErrors: {
    orderNotFound: "order_not_found",
    serverNotFound: "server_not_found",
    notSpotOrder: "not_spot_order",
  },

  rateLimit: true,
  generalIntervalMs: 1000,
  createIntervalMs: 5000,
  createCountsTowardGeneral: true,
  rejectedRequestsCount: false,
  rateLimitToleranceMs: 0,
  sendRetryAfter: false,

  orderVisibleDelayMs: 0,
  bootDelayMs: 20_000,
  provisioningFields: "empty",
  cancelLingerMs: 0,
  cancelUnknown: "error",
  endOrdersAfterMrl: true,
  publicHost: "127.0.0.1",
  httpPubDomain: "http.emulator.invalid",
  listenTcpPorts: true,
  sshd: true,
  sshdStartDelayMs: 0,
  sshBanner: "SSH-2.0-CloreEmulator\r\n",
  fakePortBase: 20_000,
  httpPortInTcpPorts: false,
  maxPortsPerOrder: 0,

  rejectAmpersandInEnv: false,
  requiredPriceMismatch: "database-error",
  notEnoughBalanceCode: 6,
  minBalanceHours: 1,
  billingStartsAt: "online",
  listOfflineServers: true,
  allowRentingOwnServer: true,
  marketplaceIncludesMyServers: true,

  spotMaxStep: { bitcoin: 0.000001, "CLORE-Blockchain": 40, "USD-Blockchain": 0.1 },
  spotLowerIntervalMs: 600_000,
  spotErrorCode: 6,
  spotErrorHttpStatus: 200,

  maxLoggedRequests: 10_000,
  myOrdersLimit: 50,
  myServersLimit: 100,
};

/** Defaults plus `overrides`; nested objects are copied so one emulator never changes another's. */
export function resolveOptions(overrides: Partial<EmulatorOptions> = {}): EmulatorOptions {
  const defined = Object.fromEntries(
    Object.entries(overrides).filter(([, v]) => v !== undefined),
  ) as Partial<EmulatorOptions>;
  return {
    ...DEFAULT_OPTIONS,
    ...defined,
    apiKeys: [...(defined.apiKeys ?? DEFAULT_OPTIONS.apiKeys)],
    inventedErrors: { ...DEFAULT_OPTIONS.inventedErrors, ...defined.inventedErrors },
    spotMaxStep: { ...DEFAULT_OPTIONS.spotMaxStep, ...defined.spotMaxStep },
  };
}

/** Apply a runtime change (PATCH /_emulator/options): unknown keys throw, nested objects merge. */
export function patchOptions(options: EmulatorOptions, patch: Record<string, unknown>): void {
  const unknown = Object.keys(patch).filter((k) => !(k in DEFAULT_OPTIONS));
  if (unknown.length) throw new RangeError(`unknown option${unknown.length > 1 ? "s" : ""}: ${unknown.join(", ")}`);
  if ("timeScale" in patch) checkTimeScale(patch.timeScale);
  for (const [k, v] of Object.entries(patch)) {
    const key = k as keyof EmulatorOptions;
    const current = options[key];
    if (current && typeof current === "object" && !Array.isArray(current) && v && typeof v === "object") {
      Object.assign(current, v);
    } else {
      (options as unknown as Record<string, unknown>)[key] = v;
    }
  }
}

export function checkTimeScale(scale: unknown): number {
  if (typeof scale !== "number" || !(scale > 0) || !Number.isFinite(scale)) {
    throw new RangeError(`timeScale must be a finite number > 0 (got ${String(scale)})`);
  }
  return scale;
}
