import { type CloreClient, type CreateOrderParams, FieldError, type Order, OrderOutcomeUnknownError } from "../../sdk";
import { engineLog } from "../engine-log";
import { ResourceInitError } from "../partial-error";
import { marketplaceSnapshot } from "../runtime";
import type { OrderInputsResolved, ServerFacts } from "./schema";
import { candidates, factsOf } from "./selection";

/** Failures after which the next candidate is worth trying: the server, not the request, is the problem. */
const FAIL_OVER_ON = new Set(["server-already-rented", "server-offline", "too_low_price"]);

export interface Rented {
  order: Order;
  server?: ServerFacts;
}

/**
 * Rent: the given server, or with `select` the cheapest matching one, failing over to the
 * next candidate (bounded, each attempt logged) when a server is taken, offline or refuses
 * the bid. If a create's outcome is unknown, the error carries a `pending:` id so the stack
 * keeps a handle on whatever may have been rented.
 */
export async function rent(client: CloreClient, i: OrderInputsResolved, props: Record<string, unknown>): Promise<Rented> {
  const needMarket = i.select !== undefined || i.maxPricePerDay !== undefined;
  const market = needMarket ? await marketplaceSnapshot(client) : [];
  const serverIds = i.select ? candidates(market, { ...i, select: i.select }).slice(0, i.select.maxAttempts) : [i.serverId!];
  if (!serverIds.length) {
    throw new Error(`no available server matches select ${JSON.stringify(i.select)} in ${i.currency} (${i.type}); widen the criteria or raise maxPricePerDay.`);
  }
  let lastError: unknown;
  for (const [n, serverId] of serverIds.entries()) {
    const server = market.find((s) => s.id === serverId);
    try {
      const order = await createOn(client, { ...i, serverId }, requiredPrice(i, serverId, server), props);
      void engineLog("info", `clore: rented server ${serverId} as order ${order.id} (${order.price ?? "?"} ${order.currency ?? i.currency}/day)`);
      return { order, server: i.select && server ? factsOf(server) : undefined };
    } catch (e) {
      lastError = e;
      const failOver = i.select && e instanceof FieldError && FAIL_OVER_ON.has(e.apiError ?? "");
      if (!failOver) throw await explainTaken(client, serverId, e);
      void engineLog("warning", `clore: server ${serverId} refused the order (${(e as FieldError).apiError}); trying the next candidate (${n + 1}/${serverIds.length})`);
    }
  }
  throw new Error(`all ${serverIds.length} candidate servers refused the order (last: ${(lastError as Error).message}); nothing was rented.`, { cause: lastError });
}

/**
 * "server-already-rented" may mean the server holds an order of ours that this stack does
 * not know (e.g. after an interrupted `pulumi up`): say so, and how to adopt or cancel it.
 */
async function explainTaken(client: CloreClient, serverId: number, e: unknown): Promise<unknown> {
  if (!(e instanceof FieldError) || e.apiError !== "server-already-rented") return e;
  const mine = (await client.myOrders().catch(() => [])).find((o) => o.serverId === serverId && !o.expired);
  if (!mine) return e;
  return new Error(
    `server ${serverId} is held by your own order ${mine.id}, which this stack does not manage. ` +
      `Adopt it (adoptOrderId: ${mine.id}) or cancel it (\`clore cancel ${mine.id}\`, or \`clore orphans --cancel\`).`,
    { cause: e },
  );
}

/**
 * create_order's required_price must equal the server's current price (the API fails the
 * rent on a mismatch), so maxPricePerDay is checked against the live price and the live
 * price is what we send: a price that rose in between fails instead of charging more.
 */
function requiredPrice(i: OrderInputsResolved, serverId: number, server: { price?: { on_demand?: Record<string, number | null> | null } | null } | undefined): number | undefined {
  if (i.maxPricePerDay === undefined) return undefined;
  const price = server?.price?.on_demand?.[i.currency] ?? undefined;
  if (price === undefined || price === null) {
    throw new Error(`server ${serverId} lists no on-demand price in ${i.currency}; pick another server or currency (\`clore search\`).`);
  }
  if (price > i.maxPricePerDay) {
    throw new Error(`server ${serverId} costs ${price} ${i.currency}/day, above maxPricePerDay ${i.maxPricePerDay}; nothing was rented. Raise maxPricePerDay or pick a cheaper server.`);
  }
  return price;
}

async function createOn(client: CloreClient, i: OrderInputsResolved & { serverId: number }, required: number | undefined, props: Record<string, unknown>): Promise<Order> {
  try {
    return await client.createOrder(createParams(i, required));
  } catch (e) {
    if (e instanceof OrderOutcomeUnknownError && e.since !== undefined) {
      // Keep a handle in state: read and delete look the order up by server and time.
      throw new ResourceInitError(`pending:${i.serverId}:${e.since}`, { ...props, ...i, status: "unknown" }, e);
    }
    throw e;
  }
}

function createParams(i: OrderInputsResolved & { serverId: number }, required?: number): CreateOrderParams {
  return {
    serverId: i.serverId,
    image: i.image,
    type: i.type,
    currency: i.currency,
    spotPrice: i.spotPrice,
    ports: i.ports,
    env: i.env,
    command: i.command,
    jupyterToken: i.jupyterToken,
    sshPassword: i.sshPassword,
    sshKey: i.sshKey,
    requiredPrice: required,
  };
}
