import {
  BadHosts,
  type CloreClient,
  type Order,
  OrderEndedError,
  ReadyTimeoutError,
  type OrderFate,
  isCloreError,
  orderFate,
  parsePendingHandle,
  pendingOrderFate,
  waitUntilReady,
} from "../../sdk";
import type {
  CheckResult,
  CreateResult,
  DiffResult,
  OperationOptions,
  PropertyBag,
  ReadResult,
  UpdateResult,
} from "../contract";
import { engineLog } from "../engine-log";
import { ResourceInitError, withProvider } from "../partial-error";
import { READ_MAX_AGE_MS, cancelOrder, checkRateLimitStore, currentClient, currentEvents } from "../runtime";
import { checkInputs } from "../validation";
import { CreateJournal } from "./create-journal";
import { diffOrder } from "./diff";
import { decodeInputs, decodeNews, decodeState, decodeUrn, encodeOutputs } from "./door";
import { OUTBID_REASON, emitOrderEvent, endedKind } from "./order-events";
import { orderOutputs } from "./outputs";
import { type Rented, rent, resumeInterrupted } from "./rent";
import { BUDGET_KEY, OrderInputs, type OrderInputsResolved, URN_KEY } from "./schema";
import { changeBid } from "./spot-bid";
import { TTL_EXPIRED, isPast } from "./ttl";
import { warnUnknownOrder } from "./unknown-orders";

export type { OperationOptions } from "../contract";

/** check: every input against the schema, rules included, rendered once. No API call. */
export async function check(_olds: PropertyBag, news: PropertyBag): Promise<CheckResult> {
  const { [BUDGET_KEY]: verdict, ...rest } = news;
  // A budget over its cap is a failure of every order in it, named at the budget.
  if (typeof verdict === "string" && verdict) return { failures: [{ property: "budget", reason: verdict }] };
  await checkRateLimitStore();
  currentEvents(); // a malformed clore:events / CLORE_EVENTS fails here, naming it
  return checkInputs(OrderInputs, rest, [URN_KEY]);
}

export async function diff(id: string, oldBag: PropertyBag, newBag: PropertyBag): Promise<DiffResult> {
  const olds = decodeState(oldBag);
  const news = decodeNews(newBag);
  const d = diffOrder(olds, news);
  if (d.replaces.includes("serverId") && olds.orderId !== undefined) {
    // Said in words at preview: a program that picks its server from the marketplace gets
    // another answer once its server is rented, and would replace a running order for it.
    void engineLog(
      "warning",
      `clore: order ${id} would be replaced: serverId changes from ${olds.serverId} to ${news.serverId}, so the running order is cancelled and a new one rented. ` +
        'If the program picks its server from getMarketplace, use `select` (find-and-rent keeps the rented server) or ignoreChanges: ["serverId"].',
    );
  }
  return { changes: d.changes, replaces: d.replaces, deleteBeforeReplace: d.deleteBeforeReplace };
}

/**
 * create is transactional in the only way a paid API allows: if unsure, find the order and
 * keep its id. Once an order exists, every later failure (boot timeout, lost order) is
 * reported with the id in state. A create this machine started earlier and never finished
 * (a killed `pulumi up`) is continued, not repeated. `urn` keys that record: the plugin is
 * told it, the dynamic path passes it as an input (URN_KEY).
 */
export async function create(
  props: PropertyBag,
  urn = decodeUrn(props),
  options: OperationOptions = {},
): Promise<CreateResult> {
  const i = decodeInputs(props);
  const client = currentClient();
  const journal = urn ? new CreateJournal(client.account, urn) : undefined;
  let rented: Rented | undefined;
  // The user chose the order: whatever an interrupted create recorded is settled.
  if (i.adoptOrderId !== undefined) journal?.clear();
  // An interrupted create this failed to settle keeps its record: the next run asks again.
  else if (journal) rented = await resumeInterrupted(client, journal, i, (id) => cancelOrder(client, id));
  try {
    rented ??=
      i.adoptOrderId !== undefined
        ? { order: await client.getOrder(i.adoptOrderId) }
        : await rent(client, i, props, journal);
  } catch (e) {
    // Nothing rented, or a pending handle is in state now: either way the stack knows.
    journal?.clear();
    throw e;
  }
  if (i.adoptOrderId === undefined) emitOrderEvent("order.rented", { order: rented.order, urn });
  try {
    return {
      id: String(rented.order.id),
      outs: await readyOutputs(client, i, rented, props, new Date().toISOString(), options, urn),
    };
  } finally {
    // The order id reaches state with this answer (or with the partial-state error).
    journal?.clear();
  }
}

const KEPT = "The order is kept in the stack: run `pulumi up` to wait again,";
const READY_NEXT_STEP = `${KEPT} raise readyTimeout, or \`pulumi destroy\` to cancel it.`;
const TIMEOUT_NEXT_STEP = `${KEPT} raise customTimeouts (create/update), or \`pulumi destroy\` to cancel it.`;

/** Wait for readiness if asked, for customTimeouts when given, else readyTimeout; on failure keep the order id in state. */
async function readyOutputs(
  client: CloreClient,
  i: OrderInputsResolved,
  { order, server }: Rented,
  props: PropertyBag,
  rentedAt: string,
  options: OperationOptions,
  urn?: string,
): Promise<PropertyBag> {
  const outputs = (o: Order) => encodeOutputs(orderOutputs(i, o, server, rentedAt));
  if (!i.waitForReady) return outputs(order);
  try {
    const ready = await waitUntilReady(client, order, {
      ports: i.ports,
      timeoutMs: (options.timeoutS ?? i.readyTimeout) * 1000,
      timeoutNextStep: options.timeoutS ? TIMEOUT_NEXT_STEP : READY_NEXT_STEP,
      onProgress: (message) => void engineLog("info", `clore: ${message}`),
    });
    emitOrderEvent("order.ready", { order: ready, urn });
    return outputs(ready);
  } catch (e) {
    markNeverReachable(client, i, order, e);
    if (e instanceof OrderEndedError)
      emitOrderEvent(endedKind(i.type), { order, urn, reason: i.type === "spot" ? OUTBID_REASON : e.message });
    throw new ResourceInitError(String(order.id), withProvider(outputs(order), props), asError(e));
  }
}

/** A server whose order never became reachable is avoided by find-and-rent for a while (bad-hosts.ts). */
function markNeverReachable(client: CloreClient, i: OrderInputsResolved, order: Order, e: unknown): void {
  if (!(e instanceof ReadyTimeoutError || e instanceof OrderEndedError)) return;
  const serverId = order.serverId ?? i.serverId;
  if (serverId === undefined) return;
  const b = new BadHosts(client.account).mark(serverId, i.image, "never-reachable");
  void engineLog(
    "info",
    `clore: server ${serverId} is avoided by find-and-rent until ${new Date(b.until).toISOString()} (its order ${order.id} never became reachable)`,
  );
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

/** What became of the order `id` stands for: an order id, or a `pending:` handle (a create whose id we never learned). */
function fateOf(client: CloreClient, id: string, maxAgeMs?: number): Promise<OrderFate> {
  const pending = parsePendingHandle(id);
  return pending ? pendingOrderFate(client, pending, { maxAgeMs }) : orderFate(client, Number(id), { maxAgeMs });
}

/** Inputs for an order adopted by id (`CloreOrder.get`) with no prior inputs. */
function inputsFromOrder(order: Order): OrderInputsResolved {
  return decodeInputs({
    serverId: order.serverId,
    image: order.image,
    currency: order.currency,
    type: order.type,
    adoptOrderId: order.id,
  });
}

/**
 * read (refresh): an order the API lists as ended (expired, cancelled outside Pulumi) is
 * reported gone; a live one refreshes its outputs; one no answer accounts for stays in state
 * unchanged, with a warning (order-fate.ts: absence is never proof). Every resource shares
 * one my_orders answer.
 */
export async function read(id: string, props: PropertyBag = {}): Promise<ReadResult> {
  const client = currentClient();
  const fate = await fateOf(client, id, READ_MAX_AGE_MS);
  const old = decodeState(props);
  if (fate.state === "unknown") {
    await warnUnknownOrder(id, fate.reason);
    return { id, props };
  }
  // An order cancelled by its TTL stays in state as a record until its ttl changes.
  if (fate.state === "ended") {
    if (old.status === TTL_EXPIRED) return { id, props };
    const type = fate.order?.type ?? old.type;
    emitOrderEvent(endedKind(type), {
      order: fate.order,
      orderId: Number(id) || undefined,
      serverId: old.serverId,
      reason: type === "spot" ? OUTBID_REASON : fate.reason,
    });
    return {};
  }
  const order = fate.order;
  const hasInputs = old.image !== undefined && (old.serverId !== undefined || old.select !== undefined);
  const outs = orderOutputs(hasInputs ? decodeInputs(props) : inputsFromOrder(order), order, old.server, old.rentedAt);
  return {
    id: String(order.id),
    props: withProvider(encodeOutputs({ ...outs, ttlExpired: isPast(outs.expiresOn, Date.now()) || undefined }), props),
  };
}

/**
 * update: cancel an order past its TTL (it stays as a record), move a spot bid (in steps
 * when lowering), or apply new wait settings (waiting again if the order is not ready yet).
 */
export async function update(
  id: string,
  olds: PropertyBag,
  news: PropertyBag,
  options: OperationOptions = {},
): Promise<UpdateResult> {
  const i = decodeInputs(news);
  const old = decodeState(olds);
  const client = currentClient();
  const orderId = Number(id);
  const d = diffOrder(old, i);
  if (d.updates.includes("expiresOn")) {
    await cancelOrder(client, orderId).catch(async (e) => {
      // Already ended is as good as cancelled; anything else may still bill.
      if ((await orderFate(client, orderId)).state !== "ended") throw e;
    });
    void engineLog("info", `clore: order ${orderId} passed its expiry (${old.expiresOn}) and was cancelled`);
    emitOrderEvent("order.ttl-cancelled", { orderId, serverId: old.serverId, expiresOn: old.expiresOn });
    return { outs: { ...olds, ...i, status: TTL_EXPIRED, ttlExpired: true } };
  }
  let bid = i.spotPrice;
  if (d.updates.includes("spotPrice") && i.type === "spot" && i.spotPrice !== undefined) {
    bid = await changeBid(client, orderId, Number(old.spotPrice ?? old.pricePerDay), i.spotPrice, i.currency);
  }
  const applied = { ...i, spotPrice: bid };
  // The order as the API reports it now: ended is an error to act on, not listed is kept as it was.
  const fate = await orderFate(client, orderId);
  if (fate.state === "ended")
    throw new OrderEndedError(
      orderId,
      `${fate.reason}; run \`pulumi refresh\` and then \`pulumi up\` to rent a new one`,
    );
  if (fate.state === "unknown") {
    await warnUnknownOrder(id, fate.reason);
    return { outs: { ...olds, ...applied } };
  }
  const order = fate.order;
  const rentedAt = old.rentedAt ?? new Date().toISOString();
  if (old.status === "running" || !i.waitForReady)
    return { outs: encodeOutputs(orderOutputs(applied, order, old.server, rentedAt)) };
  return { outs: await readyOutputs(client, applied, { order, server: old.server }, news, rentedAt, options) };
}

/**
 * delete: cancel the order. An order the API lists as ended is success; an order that may
 * still bill you (the cancel failed, or a pending create no answer accounts for) is an error
 * naming it, and it stays in the stack.
 */
export async function remove(id: string, props: PropertyBag): Promise<void> {
  const client = currentClient();
  let orderId = Number(id);
  const pending = parsePendingHandle(id);
  if (pending) {
    const fate = await pendingOrderFate(client, pending);
    if (fate.state === "ended") return;
    if (fate.state === "unknown") {
      throw new Error(
        `could not tell whether the create on server ${pending.serverId} rented an order (${fate.reason}); it may bill you, so it stays in the stack. ` +
          "Run `pulumi destroy` again later, or find it with `clore orders` and cancel it with `clore cancel <id>`.",
      );
    }
    orderId = fate.order.id;
  }
  try {
    await cancelOrder(client, orderId);
    void engineLog("info", `clore: cancelled order ${orderId}`);
    emitOrderEvent("order.cancelled", {
      orderId,
      serverId: decodeState(props).serverId,
      reason: "pulumi destroy or a replace",
    });
  } catch (e) {
    // An API answer (not a network failure): the order may have ended already.
    if (isCloreError(e) && "apiCode" in e && (await orderFate(client, orderId)).state === "ended") return;
    throw new Error(
      `could not cancel order ${orderId}; it may still bill you (${asError(e).message}). Run \`pulumi destroy\` again or \`clore cancel ${orderId}\`.`,
      { cause: e },
    );
  }
}
