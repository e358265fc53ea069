import {
  type BadHost,
  BadHosts,
  type CloreClient,
  FieldError,
  type MarketplaceServer,
  type Order,
  OrderOutcomeUnknownError,
  createOrderFields,
  orderFate,
  ownServerIds,
  pendingHandle,
  pendingOrderFate,
  pendingSince,
} from "../../sdk";
import { engineLog } from "../engine-log";
import { ResourceInitError } from "../partial-error";
import { type CreateJournal, requestHash } from "./create-journal";
import type { OrderInputsResolved, ServerFacts } from "./schema";
import { candidates, factsOf } from "./selection";
import type { PropertyBag } from "../contract";

/** Failures after which the next candidate is worth trying: the server, not the request, is the problem. */
const FAIL_OVER_ON = new Set(["server-already-rented", "server-offline", "too_low_price"]);

/** The marketplace for create-time checks: one request shared by the orders created together. */
const MARKET_MAX_AGE_MS = 5000;

export interface Rented {
  order: Order;
  server?: ServerFacts;
}

/**
 * Rent: the given server, or with `select` the cheapest matching one (never a server the
 * key hosts, unless asked), failing over to the next candidate (bounded, each attempt
 * logged) when a server is taken, offline or refuses the bid. Each attempt is recorded in
 * the journal first, so an interrupted create is found again instead of renting twice. If a
 * create's outcome is unknown, the error carries a `pending:` handle so the stack keeps a
 * handle on whatever may have been rented.
 */
export async function rent(
  client: CloreClient,
  i: OrderInputsResolved,
  props: PropertyBag,
  journal?: CreateJournal,
): Promise<Rented> {
  const needMarket = i.select !== undefined || i.maxPricePerDay !== undefined;
  const market = needMarket ? await client.call("marketplace", {}, { maxAgeMs: MARKET_MAX_AGE_MS }) : { servers: [] };
  const serverIds = i.select ? await candidateIds(client, market, i) : [i.serverId!];
  if (!serverIds.length) {
    throw new Error(
      `no available server matches select ${JSON.stringify(i.select)} in ${i.currency} (${i.type})${avoidedNote(client, i)}; widen the criteria or raise maxPricePerDay.`,
    );
  }
  const request = requestHash(createOrderFields(i));
  let lastError: unknown;
  for (const [n, serverId] of serverIds.entries()) {
    const listed = market.servers.find((s) => s.id === serverId);
    const server = i.select && listed ? factsOf(listed) : undefined;
    try {
      const fields = createOrderFields({ ...i, serverId, requiredPrice: requiredPrice(i, serverId, listed) });
      journal?.record({ serverId, since: pendingSince(Date.now()), server, request, at: new Date().toISOString() });
      const order = await createOn(client, fields, props, i);
      journal?.record({
        serverId,
        since: pendingSince(Date.now()),
        server,
        request,
        at: new Date().toISOString(),
        orderId: order.id,
      });
      void engineLog(
        "info",
        `clore: rented server ${serverId} as order ${order.id} (${order.price ?? "?"} ${order.currency ?? i.currency}/day)`,
      );
      return { order, server };
    } catch (e) {
      lastError = e;
      const failOver = i.select && e instanceof FieldError && FAIL_OVER_ON.has(e.apiError ?? "");
      if (!failOver) throw await explainTaken(client, serverId, e);
      void engineLog(
        "warning",
        `clore: server ${serverId} refused the order (${(e as FieldError).apiError}); trying the next candidate (${n + 1}/${serverIds.length})`,
      );
    }
  }
  throw new Error(
    `all ${serverIds.length} candidate servers refused the order (last: ${(lastError as Error).message}); nothing was rented.`,
    { cause: lastError },
  );
}

/** Find-and-rent's candidates, cheapest first, without the key's own servers unless asked, nor bad hosts (bad-hosts.ts). */
async function candidateIds(
  client: CloreClient,
  market: { servers: MarketplaceServer[]; my_servers?: number[] | null },
  i: OrderInputsResolved,
): Promise<number[]> {
  const select = i.select!;
  const own = select.includeOwnServers ? new Set<number>() : await ownServerIds(client, market);
  const avoided = new BadHosts(client.account).avoided(i.image);
  const matching = candidates(
    market.servers.filter((s) => !own.has(s.id)),
    { ...i, select },
  );
  const skipped = matching.filter((id) => avoided.has(id));
  if (skipped.length) {
    void engineLog(
      "info",
      `clore: skipping bad host(s): ${skipped.map((id) => describe(avoided.get(id)!)).join("; ")}`,
    );
  }
  return matching.filter((id) => !avoided.has(id)).slice(0, select.maxAttempts);
}

function describe(b: BadHost): string {
  const why = b.reason === "never-reachable" ? "an order on it never became reachable" : "lost under a running job";
  return `server ${b.serverId} (${why} at ${new Date(b.at).toISOString()}; avoided until ${new Date(b.until).toISOString()})`;
}

function avoidedNote(client: CloreClient, i: OrderInputsResolved): string {
  const n = new BadHosts(client.account).avoided(i.image).size;
  return n ? ` apart from ${n} server(s) avoided as bad hosts (see the log; CLORE_BAD_HOSTS_DIR holds the list)` : "";
}

/**
 * A create interrupted on this machine (a killed `pulumi up`): the order it made, if it
 * exists and was made for the same request, is this resource's; nothing is rented again.
 * An order made for a request that changed since is cancelled, so it does not bill on.
 */
export async function resumeInterrupted(
  client: CloreClient,
  journal: CreateJournal,
  i: OrderInputsResolved,
  cancel: (orderId: number) => Promise<void>,
): Promise<Rented | undefined> {
  const prior = journal.read();
  if (!prior) return undefined;
  const fate =
    prior.orderId !== undefined ? await orderFate(client, prior.orderId) : await pendingOrderFate(client, prior);
  if (fate.state === "unknown") {
    // Renting now could rent a second server while the first bills on: stop, keep the record.
    throw new Error(
      `an earlier \`pulumi up\` was interrupted while renting server ${prior.serverId} for this resource (${prior.at})${prior.orderId ? ` as order ${prior.orderId}` : ""}, ` +
        `and the API does not say what became of it (${fate.reason}). Nothing was rented now. Run \`pulumi up\` again later, or see \`clore orders\`.`,
    );
  }
  if (fate.state === "ended") {
    void engineLog(
      "info",
      `clore: the create interrupted at ${prior.at} left nothing running (${fate.reason}); renting anew`,
    );
    journal.clear();
    return undefined;
  }
  const order = fate.order;
  if (prior.request !== requestHash(createOrderFields(i))) {
    void engineLog(
      "warning",
      `clore: cancelling order ${order.id} on server ${order.serverId}: an interrupted \`pulumi up\` rented it (${prior.at}) with inputs that have changed since`,
    );
    await cancel(order.id);
    journal.clear();
    return undefined;
  }
  void engineLog(
    "warning",
    `clore: continuing with order ${order.id} on server ${order.serverId}, rented for this resource by a \`pulumi up\` interrupted at ${prior.at}; no second server is rented`,
  );
  return { order, server: prior.server };
}

/**
 * "server-already-rented" may mean the server holds an order of ours that this stack does
 * not know (e.g. after an interrupted `pulumi up` on another machine): say so, and how to
 * adopt or cancel it.
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
function requiredPrice(
  i: OrderInputsResolved,
  serverId: number,
  server: MarketplaceServer | undefined,
): number | undefined {
  if (i.maxPricePerDay === undefined) return undefined;
  const price = server?.price?.on_demand?.[i.currency] ?? undefined;
  if (price === undefined || price === null) {
    throw new Error(
      `server ${serverId} lists no on-demand price in ${i.currency}; pick another server or currency (\`clore search\`).`,
    );
  }
  if (price > i.maxPricePerDay) {
    throw new Error(
      `server ${serverId} costs ${price} ${i.currency}/day, above maxPricePerDay ${i.maxPricePerDay}; nothing was rented. Raise maxPricePerDay or pick a cheaper server.`,
    );
  }
  return price;
}

async function createOn(
  client: CloreClient,
  fields: ReturnType<typeof createOrderFields>,
  props: PropertyBag,
  i: OrderInputsResolved,
): Promise<Order> {
  try {
    return await client.createOrder(fields);
  } catch (e) {
    if (e instanceof OrderOutcomeUnknownError && e.since !== undefined) {
      // Keep a handle in state: read and delete look the order up by server and time.
      throw new ResourceInitError(
        pendingHandle({ serverId: e.serverId, since: e.since }),
        { ...props, ...i, serverId: e.serverId, status: "unknown" },
        e,
      );
    }
    throw e;
  }
}
