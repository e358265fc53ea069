import { connect } from "node:net";
import type { CloreClient, Order } from "../../sdk";
import { engineLog } from "../engine-log";
import { missingEndpoints } from "./outputs";
import type { OrderInputsResolved } from "./schema";

export class ReadyTimeoutError extends Error {
  readonly code = "CLORE_READY_TIMEOUT";
  constructor(orderId: number, seconds: number, missing: string[]) {
    super(
      `order ${orderId} was not ready after ${seconds} s (still missing: ${missing.join(", ") || "a TCP answer"}). ` +
        `The order is kept in the stack: run \`pulumi up\` to wait again, raise readyTimeout, or \`pulumi destroy\` to cancel it.`,
    );
  }
}

/**
 * Pauses between my_orders polls: short at first, since an order on a warm host is often
 * up within seconds of being found, then every 3 s (polls are shared by every order
 * waiting in the plugin, and the rate limiter spaces them anyway).
 */
const POLL_DELAYS_MS = [1000, 2000];
const POLL_MS = 3000;
const PROGRESS_EVERY_MS = 15_000;

/**
 * Wait until the order has its public host and port mappings (my_orders, coalesced across
 * resources) and its first TCP port accepts a connection. Starts from `order` as just read
 * (no poll if it is ready already); gives up after `inputs.readyTimeout` seconds.
 */
export async function waitUntilReady(client: CloreClient, order: Order, inputs: OrderInputsResolved): Promise<Order> {
  const { id: orderId, serverId } = order;
  const timeoutS = inputs.readyTimeout;
  const start = Date.now();
  const deadline = start + timeoutS * 1000;
  let lastProgress = start;
  let missing: string[];
  for (let polls = 0; ; polls++) {
    missing = missingEndpoints(inputs, order);
    if (!missing.length) {
      const probe = probeTarget(order);
      if (!probe || (await tcpAnswers(probe.host, probe.port, 3000))) return order;
      missing = [`TCP answer on ${probe.host}:${probe.port}`];
    }
    if (Date.now() >= deadline) throw new ReadyTimeoutError(orderId, timeoutS, missing);
    if (Date.now() - lastProgress >= PROGRESS_EVERY_MS) {
      lastProgress = Date.now();
      void engineLog("info", `clore: order ${orderId} on server ${serverId} booting for ${Math.round((Date.now() - start) / 1000)} s; waiting for ${missing.join(", ")}`);
    }
    const pause = POLL_DELAYS_MS[polls] ?? POLL_MS;
    await new Promise((r) => setTimeout(r, Math.min(pause, Math.max(0, deadline - Date.now()))));
    order = await client.getOrder(orderId);
  }
}

/** The port to probe: ssh if mapped, else the first mapped tcp port. */
function probeTarget(order: Order): { host: string; port: number } | undefined {
  const host = order.pubHost;
  const port = order.tcpPortMap["22"] ?? Object.values(order.tcpPortMap)[0];
  return host && port !== undefined ? { host, port } : undefined;
}

function tcpAnswers(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}
