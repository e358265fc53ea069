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
    const client = ctx.client();
    let orders = await client.myOrders({ includeCompleted: o.completed });
    const warnings: string[] = [];
    if (!o.completed && !orders.length) {
      // An empty answer is no proof (docs/api-notes.md §7.1): ask the answer that lists ended orders too.
      const live = (await client.myOrders({ includeCompleted: true })).filter((x) => !x.expired);
      if (live.length) {
        orders = live;
        warnings.push(
          `my_orders answered an empty list, but my_orders?return_completed=true lists ${plural(live.length, "active order")}; ` +
            "showing those. Run clore orders again in a minute to check.",
        );
      }
    }
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
      warnings,
    };
  },
});
