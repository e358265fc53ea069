import { z } from "zod";

export const Wallet = z.looseObject({
  name: z.string(),
  /** Deposit address. */
  deposit: z.string().nullish(),
  balance: z.number().nullish(),
  withdrawal_fee: z.number().nullish(),
});
export type Wallet = z.output<typeof Wallet>;

export const WalletsResponse = z.looseObject({ code: z.number().int(), wallets: z.array(Wallet) });
