import * as http from "node:http";
import { ENDPOINTS, type EndpointName, type EndpointSpec, keyFingerprint } from "../sdk";
import type { ActiveFault, FaultInjector, FaultKind } from "./faults";
import { HANDLERS } from "./handler-table";
import type { EmulatorOptions } from "./options";
import type { RateLimitBook } from "./rate-limits";
import type { EmulatorState } from "./state";
import {
  API_CODES,
  type Handler,
  type HandlerContext,
  type Reply,
  apiError,
  databaseError,
  fieldError,
  invalidInput,
} from "./wire";
import { renderIssues } from "./util";

export const API_PREFIX = "/v1";
export const CONTROL_PREFIX = "/_emulator";
const MAX_BODY_BYTES = 1 << 20;

/** Routing comes from the SDK's endpoint table: one path per endpoint name. */
const BY_PATH = new Map<string, EndpointName>(
  (Object.entries(ENDPOINTS) as [EndpointName, EndpointSpec][]).map(([name, spec]) => [spec.path, name]),
);

/** One API request as the emulator saw it. Never holds the key or any header, only the key's fingerprint. */
export interface RequestLogEntry {
  /** Arrival, virtual ms since the epoch (the clock rate limits and orders use). */
  time: number;
  /** Arrival, real ms since the epoch. */
  realTime: number;
  /** Endpoint name, or the path for an unknown endpoint. */
  endpoint: string;
  method: string;
  /** HTTP status sent; absent when the connection was dropped (or the answer is still pending). */
  httpStatus?: number;
  /** `code` of the answer; absent for dropped / non-JSON answers. */
  apiCode?: number;
  keyFingerprint: string;
  query?: Record<string, string>;
  /** Parsed JSON body, when there was one. */
  body?: unknown;
  /** The injected fault that hit this request. */
  fault?: FaultKind;
  dropped?: boolean;
}

export interface ApiServerContext {
  state: EmulatorState;
  options: EmulatorOptions;
  faults: FaultInjector;
  rateLimits: RateLimitBook;
  requests: RequestLogEntry[];
  /** Base of URLs the emulator hands out (GigaSPOT snapshot), e.g. http://127.0.0.1:43123. */
  origin(): string;
  control(req: http.IncomingMessage, res: http.ServerResponse, url: URL, body: string): Promise<void>;
}

export function createApiServer(ctx: ApiServerContext): http.Server {
  return http.createServer((req, res) => {
    handle(ctx, req, res).catch((e: unknown) => {
      // A bug in a handler must not take the emulator down; the client sees a database error.
      console.error(`clore-emulator: ${req.method} ${new URL(req.url ?? "/", "http://x").pathname} failed:`, e);
      if (!res.headersSent) writeJson(res, databaseError(ctx.options));
    });
  });
}

async function handle(ctx: ApiServerContext, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const arrival = ctx.state.now();
  const realTime = Date.now();
  const url = new URL(req.url ?? "/", "http://emulator.invalid");
  const raw = await readBody(req);
  if (url.pathname === CONTROL_PREFIX || url.pathname.startsWith(`${CONTROL_PREFIX}/`))
    return ctx.control(req, res, url, raw);

  const o = ctx.options;
  const method = req.method ?? "GET";
  const name = url.pathname.startsWith(`${API_PREFIX}/`)
    ? BY_PATH.get(url.pathname.slice(API_PREFIX.length))
    : undefined;
  const authHeader = req.headers.auth;
  const key = typeof authHeader === "string" && authHeader !== "" ? authHeader : undefined;
  const fingerprint = keyFingerprint(key);
  const query = Object.fromEntries(url.searchParams);
  const json = parseJson(raw);

  const entry: RequestLogEntry = {
    time: arrival,
    realTime,
    endpoint: name ?? url.pathname,
    method,
    keyFingerprint: fingerprint,
  };
  if (Object.keys(query).length) entry.query = query;
  if (json.ok && json.value !== undefined) entry.body = json.value;
  ctx.requests.push(entry);
  if (ctx.requests.length > o.maxLoggedRequests) ctx.requests.splice(0, ctx.requests.length - o.maxLoggedRequests);

  const send = (reply: Reply, headers: Record<string, string> = {}) => {
    if (o.errorNullOnSuccess && reply.body.code === API_CODES.ok && !("error" in reply.body)) reply.body.error = null;
    entry.httpStatus = reply.status;
    entry.apiCode = reply.body.code as number;
    writeJson(res, reply, headers);
  };
  const sendRaw = (status: number, contentType: string, text: string) => {
    entry.httpStatus = status;
    res.writeHead(status, { "content-type": contentType, "content-length": Buffer.byteLength(text) }).end(text);
  };
  const drop = () => {
    entry.dropped = true;
    req.socket.destroy();
  };

  if (!name) return send(apiError(o.invalidEndpointHttpStatus, API_CODES.invalidEndpoint));
  const spec: EndpointSpec = ENDPOINTS[name];
  const methods: string[] = [spec.method];
  if (name === "server_config" && o.serverConfigAcceptsPost) methods.push("POST");
  if (o.rejectWrongMethod && !methods.includes(method)) return send(apiError(405, API_CODES.invalidEndpoint));

  // A wrong key fails even on public endpoints; a missing one only where the table requires it.
  const valid = key !== undefined && [o.apiKey, ...o.apiKeys].includes(key);
  const needsKey = spec.auth === "required" || o.marketplaceRequiresAuth;
  if ((key !== undefined && !valid) || (needsKey && !valid))
    return send(apiError(o.unauthorizedHttpStatus, API_CODES.invalidToken));

  const wait = ctx.rateLimits.take(fingerprint, spec.lane, arrival, o);
  if (wait > 0) {
    const headers: Record<string, string> = o.sendRetryAfter
      ? { "retry-after": String(Math.max(1, Math.ceil((wait * o.timeScale) / 1000))) }
      : {};
    return send(apiError(429, API_CODES.rateLimited), headers);
  }

  const fault = ctx.faults.take(name, query);
  if (fault) {
    entry.fault = fault.kind;
    if (fault.delayMs > 0) await new Promise((r) => setTimeout(r, fault.delayMs));
    switch (fault.kind) {
      case "drop":
        return drop();
      case "db-error":
        return send(databaseError(o, fault.httpStatus));
      case "rate-limit":
        return send(apiError(fault.httpStatus ?? 429, API_CODES.rateLimited));
      case "malformed":
        return sendRaw(fault.httpStatus ?? 200, "application/json", '{"code":0,"orders":[');
      case "not-json":
        return sendRaw(fault.httpStatus ?? 502, "text/html", HTML_ERROR_PAGE);
      case "field-error":
        return send(fieldError(o, fault.error!, fault.fields, fault.httpStatus));
      default:
        break; // delay, create-then-*: run the request
    }
  }

  const checked = checkRequest(o, name, spec, method, json, query);
  let reply: Reply;
  if ("reply" in checked) {
    reply = checked.reply;
  } else {
    const hctx: HandlerContext = {
      endpoint: name,
      body: checked.body as never,
      query: checked.query as never,
      state: ctx.state,
      options: o,
      keyFingerprint: fingerprint,
      origin: req.headers.host ? `http://${req.headers.host}` : ctx.origin(),
    };
    await ctx.state.sync();
    reply = await (HANDLERS[name] as unknown as Handler<EndpointName>)(hctx);
    // Let ports opened or closed by this request settle before the client hears back.
    await ctx.state.sync();
  }
  if (fault?.kind === "create-then-drop") return drop();
  if (fault?.kind === "create-then-error") reply = databaseError(o, fault.httpStatus);
  if (name === "my_orders") reply = ordersAnswer(ctx, query, reply, fault);
  send(reply);
}

/**
 * A my_orders answer as a glitch would give it (orders-* faults); otherwise the true one,
 * the first of which per query is the page `orders-stale` serves later.
 */
function ordersAnswer(ctx: ApiServerContext, query: Record<string, string>, reply: Reply, fault?: ActiveFault): Reply {
  const key = query.return_completed === "true" ? "completed" : "active";
  const orders = (reply.body.orders ?? []) as { id: number }[];
  switch (fault?.kind) {
    case "orders-empty":
      return { ...reply, body: { ...reply.body, orders: [] } };
    case "orders-omit":
      return { ...reply, body: { ...reply.body, orders: orders.filter((x) => !fault.orderIds?.includes(x.id)) } };
    case "orders-stale":
      return ctx.faults.stalePage(key, reply);
    default:
      if (reply.body.code === API_CODES.ok) ctx.faults.stalePage(key, reply);
      return reply;
  }
}

type Checked = { body: unknown; query: unknown } | { reply: Reply };

/** Request → the endpoint's zod schemas (the SDK's own), or a code-2 answer naming the field. */
function checkRequest(
  o: EmulatorOptions,
  name: EndpointName,
  spec: EndpointSpec,
  method: string,
  json: ParsedJson,
  query: Record<string, string>,
): Checked {
  let body: unknown;
  if (spec.body) {
    if (!json.ok) return { reply: invalidInput(o, "body: not valid JSON") };
    let input = json.value;
    // server_config's name may come as ?server_name= (docs/api-notes.md §6.3: the method is uncertain).
    if (
      input === undefined &&
      name === "server_config" &&
      o.serverConfigAcceptsQuery &&
      method === "GET" &&
      Object.keys(query).length
    ) {
      input = query;
    }
    const r = spec.body.safeParse(input);
    if (!r.success) return { reply: invalidInput(o, renderIssues(r.error, "body")) };
    body = r.data;
  }
  let q: unknown;
  if (spec.query) {
    const r = spec.query.safeParse(query);
    if (!r.success) return { reply: invalidInput(o, renderIssues(r.error, "query")) };
    q = r.data;
  }
  return { body, query: q };
}

type ParsedJson = { ok: true; value: unknown } | { ok: false };

function parseJson(raw: string): ParsedJson {
  if (raw.trim() === "") return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(raw) };
  } catch {
    return { ok: false };
  }
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        req.destroy();
        reject(new Error(`request body over ${MAX_BODY_BYTES} bytes`));
      } else chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** Send `reply.body` as JSON (API answers and control answers alike). */
export function writeJson(
  res: http.ServerResponse,
  reply: { status: number; body: unknown },
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(reply.body);
  res
    .writeHead(reply.status, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(text),
      ...headers,
    })
    .end(text);
}

const HTML_ERROR_PAGE =
  "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n";
