import { CREATION_FEES, POH_BALANCE, POH_CONFIG, RENTER_FEES } from "../seed-data";
import { type Handler, ok } from "../wire";

/** GET /wallets (fixture wallets.json): balances net of creation fees and spend so far. */
export const wallets: Handler<"wallets"> = ({ state }) =>
  ok({
    wallets: [...state.wallets.values()].map((w) => ({
      name: w.name,
      deposit: w.deposit,
      balance: state.walletBalance(w.name),
      withdrawal_fee: w.withdrawal_fee,
    })),
  });

/** GET /poh_balance (fixture poh_balance.json). Proof-of-Holding values are static: nothing changes them. */
export const pohBalance: Handler<"poh_balance"> = ({ state }) =>
  ok({
    items: [
      {
        user: state.userId,
        address: "AEmulatorClorePoHAddr222222222222",
        signature: "H1emulatorSignatureBase64AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        message: `emulator poh message ${state.userId}`,
        created: 1_730_000_000,
        unique: "5f2c9e0a",
        remove: 0,
        // Enum undocumented (docs/api-notes.md §9); "active" as in the fixture.
        status: "active",
        balance: POH_BALANCE,
        last_check: Math.floor(state.now() / 1000),
      },
    ],
    balance: {
      total: POH_BALANCE,
      free_amount: 30_000,
      reward_amount: 125.5,
      offers: {
        rented_amount: 10_000,
        rented_on_marketplace_amount: 0,
        rented_finished_amount: 5_000,
        leased_amount: 5_000,
        leased_finished_amount: 0,
      },
    },
    count: 1,
  });

/** GET /renter_fees (fixture renter_fees.json). */
export const renterFees: Handler<"renter_fees"> = () =>
  ok({
    renter_fees: structuredClone(RENTER_FEES),
    poh_config: { ...POH_CONFIG },
    creation_fees: structuredClone(CREATION_FEES),
    poh_balance: POH_BALANCE,
  });
