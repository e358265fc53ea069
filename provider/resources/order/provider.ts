import { type CloreClient, type Order, isCloreError, newestOrderOn } from "../../sdk";
import { engineLog } from "../engine-log";
import { PROVIDER_KEY, ResourceInitError, withProvider } from "../partial-error";
import { READ_MAX_AGE_MS, cancelOrder, currentClient } from "../runtime";
import { type CheckFailure, failuresFromZod, inputValidator, isUnknown } from "../validation";
import { diffOrder } from "./diff";
import { orderOutputs } from "./outputs";
import { type Rented, rent } from "./rent";
import { ORDER_DEFAULTS, OrderInputs, type OrderInputsResolved, type OrderOutputs, crossFieldFailures } from "./schema";
import { changeBid } from "./spot-bid";
import { TTL_EXPIRED, isPast } from "./ttl";
import { waitUntilReady } from "./wait-ready";

type Props = Record<string, unknown>;

const validate = inputValidator(OrderInputs);

/** Ids of creates whose order we could not identify: `pending:<serverId>:<unix s>`. */
const PENDING = /^pending:(\d+):(\d+)$/;

function resolved(props: Props): OrderInputsResolved {
  const { __provider: _p, ...rest } = props;
  const known = Object.fromEntries(Object.entries(rest).filter(([k]) => k in OrderInputs.shape && rest[k] !== null));
  return OrderInputs.parse(known);
}

/** check: every input against the schema (ajv) plus cross-field rules. No API call. */
export async function check(_olds: Props, allNews: Props): Promise<{ inputs?: Props; failures?: CheckFailure[] }> {
  // budgetCheck is CloreBudget's gate (see order.ts), not an input of the order.
  const { budgetCheck: _gate, ...news } = allNews;
  const failures = validate(news);
  const known = Object.fromEntries(Object.entries(news).filter(([, v]) => !isUnknown(v)));
  const cross = crossFieldFailures({ type: ORDER_DEFAULTS.type, ...known } as Partial<OrderInputsResolved>).filter(
    (f) => !isUnknown(news[f.property]),
  );
  if (failures.length || cross.length) return { failures: [...failures, ...cross] };
  // Refinements JSON Schema cannot carry (one http port, env size) come from zod itself.
  const refined = OrderInputs.safeParse(Object.fromEntries(Object.entries(known).filter(([k]) => k !== PROVIDER_KEY)));
  const custom = refined.success ? [] : failuresFromZod(refined.error).filter((_, n) => refined.error!.issues[n]!.code === "custom");
  if (custom.length) return { failures: custom };
  return { inputs: { ...ORDER_DEFAULTS, ...news } };
}

export async function diff(_id: string, olds: Props, news: Props) {
  const d = diffOrder(olds as Partial<OrderOutputs>, news as Partial<OrderInputsResolved>);
  return { changes: d.changes, replaces: d.replaces, deleteBeforeReplace: d.deleteBeforeReplace };
}

/**
 * create is transactional in the only way a paid API allows: if unsure, find the order and
 * keep its id. Once an order exists, every later failure (boot timeout, lost order) is
 * reported with the id in state.
 */
export async function create(props: Props): Promise<{ id: string; outs: Props }> {
  const i = resolved(props);
  const client = currentClient();
  let rented: Rented;
  if (i.adoptOrderId !== undefined) {
    rented = { order: await client.getOrder(i.adoptOrderId) };
  } else {
    rented = await rent(client, i, props);
  }
  return { id: String(rented.order.id), outs: await readyOutputs(client, i, rented, props, new Date().toISOString()) };
}

/** Wait for readiness if asked; on failure keep the order id in state. */
async function readyOutputs(client: CloreClient, i: OrderInputsResolved, { order, server }: Rented, props: Props, rentedAt: string): Promise<Props> {
  if (!i.waitForReady) return orderOutputs(i, order, server, rentedAt) as unknown as Props;
  try {
    const ready = await waitUntilReady(client, order, i);
    return orderOutputs(i, ready, server, rentedAt) as unknown as Props;
  } catch (e) {
    throw new ResourceInitError(String(order.id), withProvider(orderOutputs(i, order, server, rentedAt) as unknown as Props, props), e as Error);
  }
}

/** Find the order a pending create may have made: newest active order on the server since then. */
async function resolvePending(client: CloreClient, id: string): Promise<Order | undefined> {
  const m = PENDING.exec(id);
  if (!m) return undefined;
  return newestOrderOn(await client.myOrders(), Number(m[1]), Number(m[2]));
}

/** Inputs for an order adopted by id (`CloreOrder.get`) with no prior inputs. */
function inputsFromOrder(order: Order): Props {
  return { serverId: order.serverId, image: order.image, currency: order.currency, type: order.type, adoptOrderId: order.id };
}

/**
 * read (refresh): an order that ended, expired or was cancelled outside Pulumi is reported
 * gone; a live one refreshes its outputs. Every resource shares one my_orders answer.
 */
export async function read(id: string, props: Props = {}): Promise<{ id?: string; props?: Props }> {
  const client = currentClient();
  const order = PENDING.test(id)
    ? await resolvePending(client, id)
    : await client.findOrder(Number(id), { maxAgeMs: READ_MAX_AGE_MS });
  const old = props as Partial<OrderOutputs>;
  // An order cancelled by its TTL stays in state as a record until its ttl changes.
  if (!order) return old.status === TTL_EXPIRED ? { id, props } : {};
  const hasInputs = props.image !== undefined && (props.serverId !== undefined || props.select !== undefined);
  const i = resolved(hasInputs ? props : inputsFromOrder(order));
  const outs = orderOutputs(i, order, old.server, old.rentedAt);
  return { id: String(order.id), props: withProvider({ ...outs, ttlExpired: isPast(outs.expiresOn, Date.now()) || undefined } as unknown as Props, props) };
}

/**
 * update: cancel an order past its TTL (it stays as a record), move a spot bid (in steps
 * when lowering), or apply new wait settings (waiting again if the order is not ready yet).
 */
export async function update(id: string, olds: Props, news: Props): Promise<{ outs: Props }> {
  const i = resolved(news);
  const old = olds as Partial<OrderOutputs>;
  const client = currentClient();
  const orderId = Number(id);
  const d = diffOrder(old, i);
  if (d.updates.includes("expiresOn")) {
    await cancelOrder(client, orderId).catch(async (e) => {
      if (await client.findOrder(orderId)) throw e;
    });
    void engineLog("info", `clore: order ${orderId} passed its expiry (${old.expiresOn}) and was cancelled`);
    return { outs: { ...olds, ...i, status: TTL_EXPIRED, ttlExpired: true } };
  }
  let bid = i.spotPrice;
  if (d.updates.includes("spotPrice") && i.type === "spot" && i.spotPrice !== undefined) {
    bid = await changeBid(client, orderId, Number(old.spotPrice ?? old.pricePerDay), i.spotPrice, i.currency);
  }
  const order = await client.getOrder(orderId);
  const applied = { ...i, spotPrice: bid };
  const rentedAt = old.rentedAt ?? new Date().toISOString();
  if (old.status === "running" || !i.waitForReady) return { outs: orderOutputs(applied, order, old.server, rentedAt) as unknown as Props };
  return { outs: await readyOutputs(client, applied, { order, server: old.server }, news, rentedAt) };
}

/**
 * delete: cancel the order. An order that is already gone is success; an order that may
 * still bill you is an error naming its id.
 */
export async function remove(id: string, _props: Props): Promise<void> {
  const client = currentClient();
  let orderId = Number(id);
  if (PENDING.test(id)) {
    const order = await resolvePending(client, id);
    if (!order) return;
    orderId = order.id;
  }
  try {
    await cancelOrder(client, orderId);
    void engineLog("info", `clore: cancelled order ${orderId}`);
  } catch (e) {
    // An API answer (not a network failure): check whether the order is already gone.
    if (isCloreError(e) && "apiCode" in e) {
      if (!(await client.findOrder(orderId))) return;
    }
    throw new Error(
      `could not cancel order ${orderId}; it may still bill you (${(e as Error).message}). Run \`pulumi destroy\` again or \`clore cancel ${orderId}\`.`,
      { cause: e },
    );
  }
}
