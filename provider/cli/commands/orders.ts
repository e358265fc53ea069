import type { Order } from "../../sdk";
import { defineCommand } from "../command";
import { plural } from "../format";
import { orderColumns } from "../order-view";
import type { ListResult } from "../render";

interface OrdersOptions {
  completed?: boolean;
}

export const ordersCommand = defineCommand<OrdersOptions>({
  name: "orders",
  summary: "List your rental orders",
  description: "List your active rental orders, newest first. --completed adds cancelled and expired ones.",
  configure(cmd) {
    cmd.option("--completed", "also list cancelled and expired orders");
  },
  examples: ["clore orders", "clore orders --completed", "clore orders --json | jq '.[] | {id, sshHost, sshPort}'"],
  async run(ctx, _args, o): Promise<ListResult<Order>> {
    const orders = await ctx.client().myOrders({ includeCompleted: o.completed });
    const sorted = [...orders].sort((a, b) => (b.ct ?? 0) - (a.ct ?? 0) || b.id - a.id);
    const active = sorted.filter((x) => !x.expired).length;
    return {
      kind: "list",
      json: sorted,
      rows: sorted,
      columns: orderColumns(),
      summary: o.completed
        ? `${plural(sorted.length, "order")} (${active} active).`
        : `${plural(sorted.length, "active order")}.`,
      empty: "No orders found.",
    };
  },
});
