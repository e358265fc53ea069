import { type Order, orderMoney } from "../sdk";
import { NONE, ageSeconds, duration, gpu, money, perDay, usd } from "./format";
import type { Column } from "./table";

/**
 * How orders look in tables and records, shared by orders, orphans and deploy.
 */

/** Price per day in USD when we can tell (USD orders, or the API's original_price_usd). */
export function orderUsdPerDay(o: Order): number | undefined {
  return orderMoney(o).usdPerDay;
}

/** `$3.60/day`, or `350 CLORE/day (≈$0.88/day)` when a USD figure is known. */
export function orderPrice(o: Order): string {
  const native = perDay(money(o.price, o.currency));
  const usdDay = orderUsdPerDay(o);
  if (o.currency === "USD-Blockchain" || usdDay === undefined || native === NONE)
    return native === NONE && usdDay !== undefined ? perDay(usd(usdDay)) : native;
  return `${native} (≈${perDay(usd(usdDay))})`;
}

export function orderGpu(o: Order): string {
  const list = o.gpu_array ?? [];
  return gpu(list[0] ?? o.specs?.gpu, list.length || undefined);
}

/** `ssh root@n4.example -p 10922`, or undefined until the SSH endpoint exists. */
export function sshCommand(o: Order, user = "root"): string | undefined {
  return o.sshHost && o.sshPort ? `ssh ${user}@${o.sshHost} -p ${o.sshPort}` : undefined;
}

export function orderColumns(now: number = Date.now()): Column<Order>[] {
  return [
    { header: "ID", value: (o) => o.id, align: "right" },
    { header: "Server", value: (o) => o.serverId, align: "right" },
    { header: "Type", value: (o) => o.type },
    { header: "Status", value: (o) => o.status },
    { header: "GPU", value: orderGpu },
    { header: "Image", value: (o) => o.image ?? NONE, maxWidth: 32 },
    { header: "Age", value: (o) => duration(ageSeconds(o.ct, now)), align: "right" },
    { header: "Price", value: orderPrice, align: "right" },
    { header: "Spent", value: (o) => money(o.spend, o.currency), align: "right" },
    { header: "SSH", value: (o) => (o.sshHost && o.sshPort ? `${o.sshHost}:${o.sshPort}` : NONE) },
  ];
}

/** Label/value lines for one order (deploy's result). */
export function orderFields(o: Order, now: number = Date.now()): Array<[string, string | undefined]> {
  return [
    ["Server", String(o.serverId ?? NONE)],
    ["Type", o.type],
    ["Status", o.status],
    ["GPU", orderGpu(o)],
    ["Image", o.image ?? NONE],
    ["Price", orderPrice(o)],
    ["Age", duration(ageSeconds(o.ct, now))],
    ["SSH", sshCommand(o) ?? (o.tcpPortMap["22"] === undefined && o.pubHost ? "port 22 not mapped" : "not ready yet")],
    ["HTTP", o.httpUrl],
    [
      "Ports",
      Object.keys(o.tcpPortMap).length
        ? Object.entries(o.tcpPortMap)
            .map(([c, p]) => `${c}→${p}`)
            .join(", ")
        : undefined,
    ],
  ];
}
