import type * as http from "node:http";
import type { AddressInfo } from "node:net";
import type { Currency } from "../sdk";
import { createControlHandler } from "./control";
import { FaultInjector } from "./faults";
import { type EmulatorOptions, resolveOptions } from "./options";
import { RateLimitBook } from "./rate-limits";
import { API_PREFIX, type RequestLogEntry, createApiServer } from "./server";
import type { EndReason, OrderRecord, OrderState } from "./records";
import { EmulatorState } from "./state";
import { VirtualClock } from "./virtual-clock";

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

/**
 * Start a Clore API emulator on 127.0.0.1. Each call is independent (its own state).
 *
 *     const emu = await startEmulator({ timeScale: 0.01 });
 *     const client = new CloreClient({ baseUrl: emu.url, apiKey: emu.apiKey });
 */
export async function startEmulator(opts: StartEmulatorOptions = {}): Promise<Emulator> {
  const { port = 0, host = "127.0.0.1", ...rest } = opts;
  const options = resolveOptions(rest);
  const clock = new VirtualClock(() => options.timeScale);
  const faults = new FaultInjector();
  const state = new EmulatorState(clock, options, faults);
  const rateLimits = new RateLimitBook();
  const requests: RequestLogEntry[] = [];
  let emulator: RunningEmulator | undefined;
  const server = createApiServer({
    state,
    options,
    faults,
    rateLimits,
    requests,
    origin: () => emulator?.origin ?? "",
    control: createControlHandler(() => emulator!),
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  emulator = new RunningEmulator(
    server,
    `http://${urlHost(host)}:${address.port}`,
    options,
    state,
    faults,
    requests,
    clock,
    rateLimits,
  );
  return emulator;
}

class RunningEmulator implements Emulator {
  readonly url: string;
  private closing?: Promise<void>;

  constructor(
    private readonly server: http.Server,
    readonly origin: string,
    readonly options: EmulatorOptions,
    readonly state: EmulatorState,
    readonly faults: FaultInjector,
    readonly requests: RequestLogEntry[],
    private readonly clock: VirtualClock,
    private readonly rateLimits: RateLimitBook,
  ) {
    this.url = origin + API_PREFIX;
  }

  get apiKey(): string {
    return this.options.apiKey;
  }

  allOrders(): EmulatorOrder[] {
    this.state.tick();
    return [...this.state.orders.values()].sort((a, b) => a.id - b.id).map((o) => this.view(o));
  }

  activeOrders(): EmulatorOrder[] {
    return this.allOrders().filter((o) => o.state === "active");
  }

  endOrder(orderId: number, how: "expired" | "host-ended" = "expired"): void {
    this.state.endOrder(orderId, how);
  }

  outbid(orderId: number): void {
    this.state.outbid(orderId);
  }

  cutSsh(orderId: number): number {
    return this.state.sshFault(orderId, { cut: true });
  }

  freezeSsh(orderId: number, ms: number): number {
    return this.state.sshFault(orderId, { freezeMs: ms });
  }

  advance(ms: number): void {
    this.clock.advance(ms);
    this.state.tick();
  }

  now(): number {
    return this.clock.now();
  }

  idle(): Promise<void> {
    return this.state.sync();
  }

  reset(): void {
    this.state.reset();
    this.requests.length = 0;
    this.faults.clear();
    this.rateLimits.reset();
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
      this.server.closeAllConnections();
      await Promise.all([closed, this.state.close()]);
    })();
    return this.closing;
  }

  private view(o: OrderRecord): EmulatorOrder {
    const now = this.state.now();
    return {
      id: o.id,
      serverId: o.serverId,
      type: o.type,
      gigaspot: o.gigaspot,
      state: o.state,
      endReason: o.endReason,
      currency: o.currency,
      image: o.image,
      price: o.price,
      creationFee: o.creationFee,
      spend: this.state.spend(o, now),
      createdAt: o.createdAt,
      ct: Math.floor(o.createdAt / 1000),
      endedAt: o.endedAt,
      visible: now >= o.visibleAt,
      online: o.state === "active" && o.booted,
      bootError: o.bootError,
      ports: { ...o.ports },
      tcpPorts: o.tcpPorts.map((p) => ({ ...p })),
      httpPort: o.httpPort,
      httpPub: o.httpPub,
      env: { ...o.env },
      command: o.command,
      sandboxDir: o.sandboxDir,
      issue: o.issue,
      createdBy: o.createdBy,
    };
  }
}

function urlHost(host: string): string {
  if (host === "0.0.0.0" || host === "::" || host === "") return "127.0.0.1";
  return host.includes(":") ? `[${host}]` : host;
}
