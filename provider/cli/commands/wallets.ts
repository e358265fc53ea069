import type { Wallet } from "../../sdk";
import { defineCommand } from "../command";
import { currencyUnit, money, plural } from "../format";
import type { ListResult } from "../render";

export const walletsCommand = defineCommand({
  name: "wallets",
  summary: "Show wallet balances",
  description: "Show your balance, deposit address and withdrawal fee per currency.",
  examples: ["clore wallets", "clore wallets --json | jq '.[] | select(.name == \"USD-Blockchain\") | .balance'"],
  async run(ctx): Promise<ListResult<Wallet>> {
    const wallets = await ctx.client().wallets();
    return {
      kind: "list",
      json: wallets,
      rows: wallets,
      columns: [
        {
          header: "Currency",
          value: (w) => `${w.name}${currencyUnit(w.name) !== w.name ? ` (${currencyUnit(w.name)})` : ""}`,
        },
        { header: "Balance", value: (w) => money(w.balance, w.name), align: "right" },
        { header: "Withdrawal fee", value: (w) => money(w.withdrawal_fee, w.name), align: "right" },
        { header: "Deposit address", value: (w) => w.deposit ?? undefined },
      ],
      summary: `${plural(wallets.length, "wallet")}.`,
      empty: "No wallets found.",
    };
  },
});
