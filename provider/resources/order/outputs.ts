import type { Order } from "../../sdk";
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
  return {
    ...inputs,
    server,
    rentedAt,
    expiresOn: expiryOf(inputs, rentedAt ?? order.createdAt),
    serverId: order.serverId ?? inputs.serverId!,
    orderId: order.id,
    status: order.status,
    pricePerDay: order.price ?? undefined,
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
