import * as net from "node:net";
import { request } from "undici";
import type { Emulator } from "../../provider/emulator";

export interface ApiResult {
  status: number;
  /** Parsed JSON, or undefined when the body is not JSON. */
  body: any;
  text: string;
  headers: Record<string, string | string[] | undefined>;
}

export interface CallOptions {
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** The `auth` header; default the emulator's demo key; null sends none. */
  key?: string | null;
  body?: unknown;
  /** Sent as is (for invalid JSON). */
  rawBody?: string;
  query?: Record<string, string>;
}

/** One real HTTP request to `<emu.url>/<endpoint>` (or any absolute path starting with "/_"). */
export async function call(emu: Emulator, endpoint: string, o: CallOptions = {}): Promise<ApiResult> {
  const origin = emu.url.replace(/\/v1$/, "");
  const base = endpoint.startsWith("/") ? origin + endpoint : `${emu.url}/${endpoint}`;
  const url = o.query ? `${base}?${new URLSearchParams(o.query)}` : base;
  const headers: Record<string, string> = {};
  const key = o.key === undefined ? emu.apiKey : o.key;
  if (key !== null) headers.auth = key;
  const body = o.rawBody ?? (o.body === undefined ? undefined : JSON.stringify(o.body));
  if (body !== undefined) headers["content-type"] = "application/json";
  const method = o.method ?? (o.body !== undefined && !endpoint.startsWith("/") ? "POST" : "GET");
  const res = await request(url, { method, headers, body });
  const text = await res.body.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.statusCode, body: parsed, text, headers: res.headers };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Connect to 127.0.0.1:port; resolves with the first bytes received (or "" after 300 ms), rejects with the socket error code. */
export function probeTcp(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    let data = "";
    const done = () => {
      socket.destroy();
      resolve(data);
    };
    socket.setTimeout(300, done);
    socket.on("data", (d) => {
      data += d.toString();
      if (data.includes("\n")) done();
    });
    socket.on("error", (e: NodeJS.ErrnoException) =>
      reject(Object.assign(new Error(e.code ?? e.message), { code: e.code })),
    );
  });
}

/** A valid on-demand create_order body for `serverId` (USD-Blockchain, ssh + jupyter ports). */
export function onDemandBody(serverId: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: "on-demand",
    currency: "USD-Blockchain",
    image: "cloreai/jupyter:ubuntu24.04-v2",
    renting_server: serverId,
    ports: { "22": "tcp", "8888": "http" },
    ...extra,
  };
}

export { fixture } from "../helpers/fixtures";

/**
 * Same JSON shape: same keys (except `optional` paths, which either side may lack)
 * and the same JSON type per value, recursively; arrays compare their first elements.
 * Returns the differences as "path: problem" lines, so a failure shows all of them.
 */
export function shapeDiff(actual: unknown, expected: unknown, at = "$", optional: string[] = []): string[] {
  const kind = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v);
  if (kind(actual) !== kind(expected)) return [`${at}: ${kind(actual)} where the fixture has ${kind(expected)}`];
  if (Array.isArray(actual) && Array.isArray(expected)) {
    return actual.length && expected.length ? shapeDiff(actual[0], expected[0], `${at}[0]`, optional) : [];
  }
  if (kind(actual) !== "object") return [];
  const a = actual as Record<string, unknown>;
  const e = expected as Record<string, unknown>;
  const out: string[] = [];
  for (const k of Object.keys(e)) {
    if (!(k in a)) {
      if (!optional.includes(`${at}.${k}`)) out.push(`${at}.${k}: missing`);
    } else out.push(...shapeDiff(a[k], e[k], `${at}.${k}`, optional));
  }
  for (const k of Object.keys(a))
    if (!(k in e) && !optional.includes(`${at}.${k}`)) out.push(`${at}.${k}: not in the fixture`);
  return out;
}
