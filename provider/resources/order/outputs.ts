import { type Order, orderMoney } from "../../sdk";
import type { OrderInputsResolved, OrderOutputs, ServerFacts } from "./schema";
import { expiryOf } from "./ttl";

/**
 * Inputs as applied + the order as the API reports it (+ the rented server's facts). Pure.
 * `rentedAt` is our clock when the order was rented: TTLs count from it, not from the API's
 * `ct`, so a skewed server clock cannot stretch or cut them.
 */
export function orderOutputs(
  inputs: OrderInputsResolved,
  order: Order,
  server?: ServerFacts,
  rentedAt?: string,
): OrderOutputs {
  const host = order.pubHost;
  const sshPort = order.tcpPortMap["22"];
  // From the my_orders answer the order was read from: no extra API call.
  const money = orderMoney(order);
  return {
    ...inputs,
    server,
    rentedAt,
    expiresOn: expiryOf(inputs, rentedAt ?? order.createdAt),
    serverId: order.serverId ?? inputs.serverId!,
    orderId: order.id,
    status: order.status,
    pricePerDay: order.price ?? undefined,
    pricePerHourUsd: money.usdPerHour,
    spend: money.spend,
    spendUsd: money.spendUsd,
    costApproximate: money.usdPerHour === undefined && money.spendUsd === undefined ? undefined : money.approximate,
    currency: (order.currency as OrderInputsResolved["currency"]) ?? inputs.currency,
    createdAt: order.createdAt,
    pubCluster: Array.isArray(order.pub_cluster) ? order.pub_cluster : host ? [host] : [],
    tcpPorts: order.tcpPortMap,
    sshHost: sshPort !== undefined ? host : undefined,
    sshPort,
    sshCommand: host && sshPort !== undefined ? `ssh root@${host} -p ${sshPort}` : undefined,
    httpUrl: order.httpUrl,
  };
}
