import type * as http from "node:http";
import type { AddressInfo } from "node:net";
import { createControlHandler } from "./control";
import type { Emulator, EmulatorOrder, StartEmulatorOptions } from "./emulator-interface";
import { FaultInjector } from "./faults";
import { type EmulatorOptions, resolveOptions } from "./options";
import { RateLimitBook } from "./rate-limits";
import { API_PREFIX, type RequestLogEntry, createApiServer } from "./server";
import type { OrderRecord } from "./records";
import { EmulatorState } from "./state";
import { VirtualClock } from "./virtual-clock";

/**
 * Start a Clore API emulator on 127.0.0.1. Each call is independent (its own state).
 *
 *     const emu = await startEmulator({ timeScale: 0.01 });
 *     const client = new CloreClient({ baseUrl: emu.url, apiKey: emu.apiKey });
 */
export async function startEmulator(opts: StartEmulatorOptions = {}): Promise<Emulator> {
  const { port = 0, host = "127.0.0.1", ...rest } = opts;
  const emulator = new RunningEmulator(resolveOptions(rest));
  await emulator.listen(port, host);
  return emulator;
}

class RunningEmulator implements Emulator {
  readonly state: EmulatorState;
  readonly faults = new FaultInjector();
  readonly requests: RequestLogEntry[] = [];
  private readonly clock: VirtualClock;
  private readonly rateLimits = new RateLimitBook();
  private readonly server: http.Server;
  /** http://host:port, known once listening. */
  private origin = "";
  private closing?: Promise<void>;

  constructor(readonly options: EmulatorOptions) {
    this.clock = new VirtualClock(() => options.timeScale);
    this.state = new EmulatorState(this.clock, options, this.faults);
    this.server = createApiServer({
      state: this.state,
      options,
      faults: this.faults,
      rateLimits: this.rateLimits,
      requests: this.requests,
      origin: () => this.origin,
      control: createControlHandler(this),
    });
  }

  async listen(port: number, host: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => {
        this.server.off("error", reject);
        resolve();
      });
    });
    this.origin = `http://${urlHost(host)}:${(this.server.address() as AddressInfo).port}`;
  }

  get url(): string {
    return this.origin + API_PREFIX;
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
