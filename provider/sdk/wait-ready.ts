import { connect } from "node:net";
import type { CloreClient } from "./client";
import { OrderEndedError, ReadyTimeoutError } from "./errors";
import type { Order } from "./models/order";
import { orderFate } from "./order-fate";

/**
 * When a new order is ready, one definition for the provider and `clore deploy`: it has its
 * public host, a public port for every tcp port it asked for (and its URL for the http one),
 * and its ssh port (else its first tcp port) accepts a TCP connection.
 */
export interface ReadyOptions {
  /** The ports the order was created with. */
  ports?: Record<string, "tcp" | "http">;
  timeoutMs: number;
  /** What a timeout's message tells the user to do next (e.g. Pulumi's next command). */
  timeoutNextStep?: string;
  /** Called about every 15 s with what is still missing and for how long. */
  onProgress?(message: string): void;
  /** Stops the wait (Ctrl-C in the CLI): rejects with the signal's reason. */
  signal?: AbortSignal;
  /** The TCP check; tests replace it. */
  probe?(host: string, port: number): Promise<ProbeResult>;
}

export type ProbeResult = { ok: true } | { ok: false; reason: string };

/** Pauses between my_orders reads while endpoints are missing: soon at first, then every 3 s. */
const POLL_DELAYS_MS = [1000, 2000];
const POLL_MS = 3000;
/** Once the endpoints exist only the port is missing: probe it (no API call) every second… */
const PROBE_MS = 1000;
/** …and read my_orders now and then, only to notice an order that ended meanwhile. */
const RECHECK_ORDER_MS = 30_000;
const PROGRESS_EVERY_MS = 15_000;
const PROBE_TIMEOUT_MS = 3000;

/**
 * Wait until `order` (as just read) is ready; returns it as last read. Reads of my_orders
 * go through the client's cache: orders waiting together share a read while it waits for
 * its rate-limit slot (not an answer already given). On the client's Clock, so tests do
 * not sleep.
 */
export async function waitUntilReady(client: CloreClient, order: Order, o: ReadyOptions): Promise<Order> {
  const clock = client.clock;
  const probe = o.probe ?? probeTcp;
  const start = clock.now();
  const deadline = start + o.timeoutMs;
  let lastRead = start;
  let lastProgress = start;
  let endpointsSince: number | undefined;
  /** The last read did not list the order (not proof it ended): say so in the progress line. */
  let unlisted = false;
  for (let polls = 0; ; polls++) {
    o.signal?.throwIfAborted();
    const missing = missingEndpoints(o.ports, order);
    let waitingFor = missing.join(", ") + (unlisted ? " (my_orders did not list the order in its last answer)" : "");
    if (!missing.length) {
      const target = probeTarget(order);
      if (!target) return order;
      endpointsSince ??= clock.now();
      const r = await probe(target.host, target.port);
      if (r.ok) return order;
      waitingFor = `${target.host}:${target.port} to accept a connection (${r.reason})`;
    }
    const now = clock.now();
    if (now >= deadline)
      throw new ReadyTimeoutError(order.id, Math.round(o.timeoutMs / 1000), waitingFor, o.timeoutNextStep);
    if (now - lastProgress >= PROGRESS_EVERY_MS) {
      lastProgress = now;
      const secs = (t: number) => `${Math.round((now - t) / 1000)} s`;
      o.onProgress?.(
        endpointsSince === undefined
          ? `order ${order.id} on server ${order.serverId} booting for ${secs(start)}; waiting for ${waitingFor}`
          : `order ${order.id} has its endpoints since ${secs(endpointsSince)} ago; waiting for ${waitingFor}`,
      );
    }
    const pause = endpointsSince === undefined ? (POLL_DELAYS_MS[polls] ?? POLL_MS) : PROBE_MS;
    await sleep(client, Math.min(pause, Math.max(0, deadline - now)), o.signal);
    if (endpointsSince === undefined || clock.now() - lastRead >= RECHECK_ORDER_MS) {
      lastRead = clock.now();
      // A fresh answer (orders waiting together share it while it is queued): one sent before
      // the boot finished would cost a whole poll. Only an order the API lists as ended stops
      // the wait; one an answer left out is waited for as last seen.
      const fate = await orderFate(client, order.id);
      if (fate.state === "ended") throw new OrderEndedError(order.id, fate.reason);
      unlisted = fate.state === "unknown";
      if (fate.state === "live") order = fate.order;
    }
  }
}

/** What the order still needs before its endpoints count as there; empty when they are. */
export function missingEndpoints(ports: Record<string, "tcp" | "http"> | undefined, order: Order): string[] {
  const missing: string[] = [];
  if (!order.pubHost) missing.push("public host (pub_cluster)");
  for (const [port, proto] of Object.entries(ports ?? {})) {
    if (proto === "tcp" && order.tcpPortMap[port] === undefined) missing.push(`tcp port ${port} mapping`);
    if (proto === "http" && !order.http_pub) missing.push(`http endpoint for port ${port}`);
  }
  return missing;
}

/** The port to probe: ssh if mapped, else the first mapped tcp port. */
function probeTarget(order: Order): { host: string; port: number } | undefined {
  const host = order.pubHost;
  const port = order.tcpPortMap["22"] ?? Object.values(order.tcpPortMap)[0];
  return host && port !== undefined ? { host, port } : undefined;
}

/** One TCP connection attempt, with the reason it failed in words. */
export function probeTcp(host: string, port: number, timeoutMs = PROBE_TIMEOUT_MS): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (r: ProbeResult) => {
      socket.destroy();
      resolve(r);
    };
    socket.setTimeout(timeoutMs, () => done({ ok: false, reason: `no answer within ${timeoutMs / 1000} s` }));
    socket.once("connect", () => done({ ok: true }));
    socket.once("error", (e: NodeJS.ErrnoException) => done({ ok: false, reason: probeFailure(e, host) }));
  });
}

function probeFailure(e: NodeJS.ErrnoException, host: string): string {
  switch (e.code) {
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `${host} does not resolve`;
    case "ECONNREFUSED":
      return "connection refused";
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return "host unreachable";
    default:
      return e.code ?? e.message;
  }
}

function sleep(client: CloreClient, ms: number, signal?: AbortSignal): Promise<void> {
  if (!signal) return client.clock.sleep(ms);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    client.clock.sleep(ms).then(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, reject);
  });
}
