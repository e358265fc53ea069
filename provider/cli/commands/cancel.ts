import { CloreApiError, FieldError, type Order, orderFate } from "../../sdk";
import { defineCommand } from "../command";
import { CliError } from "../errors";
import { money } from "../format";
import { positiveInt } from "../parse";
import type { MessageResult } from "../render";

interface CancelOptions {
  issue?: string;
}

export const cancelCommand = defineCommand<CancelOptions>({
  name: "cancel",
  args: [{ syntax: "<order_id>", description: 'order id (see "clore orders")', parse: positiveInt }],
  summary: "Cancel an order",
  description:
    "Cancel one of your active orders; billing stops. clore first checks the order in your order list: one listed as " +
    "ended is reported and left alone; one the list does not show at all (a typo, or an API answer that left it out) " +
    "is still sent, and the API's answer decides. --issue reports a problem with the host to Clore.",
  configure(cmd) {
    cmd.option("--issue <text>", 'report a problem with the server (e.g. "GPU #1 not detected")');
  },
  examples: ["clore cancel 612345", 'clore cancel 612345 --issue "GPU #1 not detected"'],
  async run(ctx, args, o): Promise<MessageResult> {
    const orderId = args[0] as number;
    const client = ctx.client();
    const fate = await orderFate(client, orderId);
    if (fate.state === "ended") {
      return {
        kind: "message",
        json: { orderId, cancelled: false, alreadyEnded: true, reason: fate.reason },
        text: `Order ${orderId} has already ended; nothing to cancel.`,
      };
    }
    // Unknown is not gone: send the cancel, and let the API's answer say whether it existed.
    const order: Partial<Order> = fate.state === "live" ? fate.order : {};
    try {
      await client.cancelOrder(orderId, o.issue);
    } catch (e) {
      if (fate.state === "live" || !(e instanceof CloreApiError)) throw e;
      const said = e instanceof FieldError && e.apiError ? `: ${e.apiError}` : "";
      throw new CliError(
        `order ${orderId} is in none of your order lists (${fate.reason}), and the API refused to cancel it${said}. Check the id with \`clore orders --completed\`.`,
        { cause: e },
      );
    }
    return {
      kind: "message",
      json: {
        orderId,
        cancelled: true,
        serverId: order.serverId ?? null,
        spend: order.spend ?? null,
        currency: order.currency ?? null,
      },
      text: `Cancelled order ${orderId} on server ${order.serverId ?? "?"} (spent ${money(order.spend, order.currency)}).`,
    };
  },
});
