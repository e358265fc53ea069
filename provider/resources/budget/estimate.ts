import { type MarketplaceServer, orderMoney, type RenterFees } from "../../sdk";
import { candidates } from "../order/selection";
import type { OrderInputsResolved } from "../order/schema";

/** One order's expected cost, in its currency. */
export interface OrderEstimate {
  name: string;
  currency: string;
  /** Host price per day (spot: the bid). Undefined when it cannot be known yet. */
  pricePerDay?: number;
  /** Renter fee per day on top of the host price. */
  feePerDay: number;
  /** One-time creation fee. */
  creationFee: number;
}

type EstimateInputs = Pick<
  OrderInputsResolved,
  "serverId" | "select" | "currency" | "type" | "spotPrice" | "maxPricePerDay"
>;

/**
 * What an order will cost per day: the server's live price (spot: the bid; find-and-rent:
 * the cheapest candidate), plus the renter fee (renter_fees' `base`, a percentage of the
 * host price) and the one-time creation fee. Pure.
 */
export function estimateOrder(
  name: string,
  i: EstimateInputs,
  servers: MarketplaceServer[],
  fees?: RenterFees,
): OrderEstimate {
  const tier = i.type === "spot" ? "spot" : "on_demand";
  let price: number | undefined;
  if (i.type === "spot") price = i.spotPrice;
  else {
    const serverId = i.serverId ?? (i.select ? candidates(servers, { ...i, select: i.select })[0] : undefined);
    price = servers.find((s) => s.id === serverId)?.price?.on_demand?.[i.currency] ?? i.maxPricePerDay ?? undefined;
  }
  const feePercent = fees?.renter_fees?.[tier]?.base?.[i.currency] ?? undefined;
  return {
    name,
    currency: i.currency,
    pricePerDay: price,
    feePerDay: orderMoney({ price, currency: i.currency }, { feePercent }).feePerDay,
    creationFee: fees?.creation_fees?.[tier]?.[i.currency] ?? 0,
  };
}

export interface CostSummary {
  currency: string;
  perDay: number;
  perHour: number;
  creationFees: number;
  /** Orders whose price is not known yet (e.g. a serverId computed by another resource). */
  unknown: string[];
  count: number;
}

/** Sum estimates of one currency: daily cost = Σ (price + fee) + Σ creation fees (paid on day one). */
export function summarize(currency: string, estimates: OrderEstimate[]): CostSummary {
  const mine = estimates.filter((e) => e.currency === currency);
  const perDay = mine.reduce((t, e) => t + (e.pricePerDay ?? 0) + e.feePerDay, 0);
  const round = (x: number) => Math.round(x * 1e6) / 1e6;
  return {
    currency,
    perDay: round(perDay),
    perHour: round(perDay / 24),
    creationFees: round(mine.reduce((t, e) => t + e.creationFee, 0)),
    unknown: mine.filter((e) => e.pricePerDay === undefined).map((e) => e.name),
    count: mine.length,
  };
}
