import { z } from "zod";
import { Currency, GpuArray, Rating, Specs } from "./common";

const OrderWire = z.looseObject({
  id: z.number().int(),
  /** Server id (the `renting_server` given to create_order). */
  si: z.number().int().nullish(),
  owner: z.number().nullish(),
  image: z.string().nullish(),
  currency: z.string().nullish(),
  price: z.number().nullish(),
  original_price_usd: z.number().nullish(),
  creation_fee: z.number().nullish(),
  spend: z.number().nullish(),
  /** Creation time, Unix seconds. */
  ct: z.number().nullish(),
  mrl: z.number().nullish(),
  specs: Specs.nullish(),
  online: z.boolean().nullish(),
  mon_container: z.number().nullish(),
  auto_login: z.string().nullish(),
  pub_cluster: z.union([z.array(z.string()), z.string()]).nullish(),
  tcp_ports: z.union([z.array(z.string()), z.record(z.string(), z.unknown())]).nullish(),
  http_port: z.union([z.string(), z.number()]).nullish(),
  http_pub: z.string().nullish(),
  rating: Rating.nullish(),
  reliability: z.number().nullish(),
  cuda_version: z.string().nullish(),
  gpu_array: GpuArray.nullish(),
  spot: z.boolean().nullish(),
  expired: z.boolean().nullish(),
});

/** Lifecycle derived from `expired`, `online`, `mon_container` and the endpoints: orders have no status field. */
export type OrderStatus = "expired" | "provisioning" | "running" | "stopped";

/** `["22:10922", "8888:10923"]` → `{ "22": 10922, "8888": 10923 }` (container → public). */
export function tcpPortMap(tcp: z.infer<typeof OrderWire>["tcp_ports"]): Record<string, number> {
  const out: Record<string, number> = {};
  if (Array.isArray(tcp)) {
    for (const entry of tcp) {
      const [container, pub] = entry.split(":");
      if (container && pub && Number.isFinite(Number(pub))) out[container] = Number(pub);
    }
  } else if (tcp) {
    for (const [k, v] of Object.entries(tcp)) if (Number.isFinite(Number(v))) out[k] = Number(v);
  }
  return out;
}

export const Order = OrderWire.transform((o) => {
  const hosts = Array.isArray(o.pub_cluster) ? o.pub_cluster : o.pub_cluster ? [o.pub_cluster] : [];
  const ports = tcpPortMap(o.tcp_ports);
  const status: OrderStatus = o.expired
    ? "expired"
    : hosts.length === 0
      ? "provisioning"
      : o.online === false && o.mon_container !== 2
        ? "stopped"
        : "running";
  return {
    ...o,
    serverId: o.si ?? undefined,
    type: (o.spot ? "spot" : "on-demand") as "spot" | "on-demand",
    status,
    /** ISO 8601 creation time. */
    createdAt: o.ct ? new Date(o.ct * 1000).toISOString() : undefined,
    pubHost: hosts[0],
    tcpPortMap: ports,
    sshHost: ports["22"] !== undefined ? hosts[0] : undefined,
    sshPort: ports["22"],
    httpUrl: o.http_pub ? `https://${o.http_pub}` : undefined,
  };
});
export type Order = z.output<typeof Order>;

export const MyOrdersResponse = z.looseObject({
  code: z.number().int(),
  orders: z.array(Order),
  limit: z.number().nullish(),
});

export { Currency };
