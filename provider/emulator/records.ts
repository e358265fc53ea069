import type { Currency, Pricing } from "../sdk";

/** The emulator's records: what state.ts stores and views.ts turns into wire JSON. */

/** A spot bid by another user (shown in spot_marketplace with `my: false`). */
export interface ForeignOffer {
  offer_id: number;
  owner: number;
  bid: number;
  currency: Currency;
  active: boolean;
}

/** A marketplace server; `name` is set only for servers the caller hosts (my_servers). */
export interface ServerRecord {
  id: number;
  owner: number;
  name?: string;
  connected: boolean;
  online: boolean;
  visibility: "public" | "hidden";
  /** Maximum rental length, hours. */
  mrl: number;
  /** Price per day per currency, as the host set it. */
  onDemand: Pricing;
  /** Minimum spot bid per day per currency. */
  spotMin: Pricing;
  allowedCoins: Currency[];
  autoprice: Record<string, "usd" | false>;
  usdPricing: Record<string, { on_demand: number; spot: number }>;
  specs?: Record<string, unknown>;
  reliability: number;
  rating: { avg: number; cnt: number };
  cudaVersion: string;
  /** Rented on demand by another user. */
  rentedByOthers: boolean;
  foreignOffers: ForeignOffer[];
  gigaspot: boolean;
  oc?: boolean;
  energyPrice?: number;
  initToken?: string;
  backgroundJob?: { times_updated: number; image: string; command: string; env: Record<string, string> };
}

export interface WalletRecord {
  name: Currency;
  deposit: string;
  /** Balance before the spend of orders (creation fees are taken from here). */
  base: number;
  withdrawal_fee: number;
}

export type OrderState = "active" | "cancelled" | "expired";
/** Why an order ended: cancelled by the renter, outbid, host-ended, or expired (mrl / endOrder). */
export type EndReason = "cancelled" | "expired" | "host-ended" | "outbid";

export interface OrderRecord {
  id: number;
  serverId: number;
  type: "on-demand" | "spot";
  gigaspot: boolean;
  currency: Currency;
  image: string;
  /** Per day in `currency`; for spot the current bid. */
  price: number;
  creationFee: number;
  /** Virtual ms. */
  createdAt: number;
  visibleAt: number;
  bootAt: number;
  ports: Record<string, "tcp" | "http">;
  env: Record<string, string>;
  /** `{container, public}` once booted. */
  tcpPorts: { container: string; public: number }[];
  httpPort: string;
  httpPub: string;
  autoLogin: string;
  booted: boolean;
  booting: boolean;
  /** Why the last boot attempt failed (it is retried at the next tick). */
  bootError?: string;
  state: OrderState;
  endReason?: EndReason;
  endedAt?: number;
  issue?: string;
  spendAccrued: number;
  priceSince: number;
  lastLoweredAt?: number;
  /** Fingerprint of the key that created it (never the key). */
  createdBy: string;
  oc?: unknown[];
  /** create_order's `command`, run in the sandbox at boot (with sshd). */
  command?: string;
  /** create_order's `ssh_password` / `ssh_key`, for the emulator's sshd. Secrets: never put in views or logs. */
  sshPassword?: string;
  sshKey?: string;
  /** The order's sandbox directory while it runs (with sshd). */
  sandboxDir?: string;
}
