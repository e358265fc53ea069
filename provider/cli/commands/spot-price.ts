import { defineCommand } from "../command";
import { positiveInt, positiveNumber } from "../parse";
import type { MessageResult } from "../render";

export const spotPriceCommand = defineCommand({
  name: "spot-price",
  args: [
    { syntax: "<order_id>", description: "your spot order's id", parse: positiveInt },
    { syntax: "<price>", description: "new bid per day, in the order's currency", parse: positiveNumber },
  ],
  summary: "Change the bid of your spot order",
  description:
    "Set a new bid (per day, in the order's currency) for one of your spot orders. Raising works any time; the API lets " +
    "you lower a bid once every 600 s and only by a limited step.",
  examples: ["clore spot-price 612401 820", "clore spot 38811   # see the other bids first"],
  async run(ctx, args): Promise<MessageResult> {
    const [orderId, price] = args as [number, number];
    await ctx.client().setSpotPrice(orderId, price);
    return {
      kind: "message",
      json: { orderId, price },
      text: `Set the bid of order ${orderId} to ${price} per day (in the order's currency).`,
    };
  },
});
