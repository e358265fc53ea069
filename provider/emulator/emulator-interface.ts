import type { Currency } from "../sdk";
import type { FaultInjector } from "./faults";
import type { EmulatorOptions } from "./options";
import type { EndReason, OrderState } from "./records";
import type { RequestLogEntry } from "./server";
import type { EmulatorState } from "./state";

/*
 * What a running emulator offers, apart from the implementation that builds it (emulator.ts):
 * the control routes drive an emulator through this interface, and the emulator builds the
 * control handler, so the interface in its own module keeps the two from importing each other.
 */

export interface StartEmulatorOptions extends Partial<EmulatorOptions> {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Interface to listen on. Default 127.0.0.1 (the control interface only answers loopback callers anyway). */
  host?: string;
}

/** An order as the emulator knows it, whatever my_orders currently shows. Times are virtual ms. */
export interface EmulatorOrder {
  id: number;
  serverId: number;
  type: "on-demand" | "spot";
  gigaspot: boolean;
  state: OrderState;
  /** Why it ended: "cancelled", "expired" (mrl or endOrder), "host-ended", "outbid". */
  endReason?: EndReason;
  currency: Currency;
  image: string;
  /** Per day in `currency` (spot: current bid). */
  price: number;
  creationFee: number;
  spend: number;
  createdAt: number;
  /** Unix seconds, as `ct` in my_orders. */
  ct: number;
  endedAt?: number;
  /** Listed by my_orders yet (see orderVisibleDelayMs). */
  visible: boolean;
  /** Container running: endpoints assigned and, with listenTcpPorts, listening. */
  online: boolean;
  /** Why the container's last start failed, if it did (retried at the next tick). */
  bootError?: string;
  ports: Record<string, "tcp" | "http">;
  /** Container port → public port on `publicHost`, once online. */
  tcpPorts: { container: string; public: number }[];
  httpPort: string;
  httpPub: string;
  env: Record<string, string>;
  /** create_order's `command` (run in the sandbox at boot, with sshd). */
  command?: string;
  /** With sshd: the order's sandbox directory (its "container" file system) while it runs. */
  sandboxDir?: string;
  issue?: string;
  /** Fingerprint of the key that created it. */
  createdBy: string;
}

export interface Emulator {
  /** Base URL including /v1, e.g. http://127.0.0.1:43123/v1. */
  readonly url: string;
  /** A valid key (options.apiKey). */
  readonly apiKey: string;
  /** Live options: changes apply to the next request. */
  readonly options: EmulatorOptions;
  readonly state: EmulatorState;
  readonly faults: FaultInjector;
  /** Every API request (not control calls), oldest first. */
  readonly requests: RequestLogEntry[];
  allOrders(): EmulatorOrder[];
  activeOrders(): EmulatorOrder[];
  /** The order ends outside the API: it leaves the active list and shows `expired: true`. */
  endOrder(orderId: number, how?: "expired" | "host-ended"): void;
  /** A spot order loses to a higher bid: it leaves the active list and shows `expired: true`. */
  outbid(orderId: number): void;
  /** Close every SSH connection of the order now (clean TCP close); returns how many. Its processes live on. */
  cutSsh(orderId: number): number;
  /** A silent partition: the order's SSH connections forward nothing either way for `ms` real ms, then resume; returns how many. */
  freezeSsh(orderId: number, ms: number): number;
  /** Move the virtual clock forward (boot delays, the 600 s spot rule, spend, rate limits). */
  advance(ms: number): void;
  /** Virtual now, ms since the epoch. */
  now(): number;
  /** Resolves once ports being opened or closed are done (after advance(), endOrder() …). */
  idle(): Promise<void>;
  /** Back to the seed data; clears orders, request log, faults and rate-limit history. Options stay. */
  reset(): void;
  close(): Promise<void>;
}
