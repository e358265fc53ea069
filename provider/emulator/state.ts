import { type Currency, HOURS_PER_DAY, type Pricing } from "../sdk";
import { Containers } from "./containers";
import type { FaultInjector } from "./faults";
import type { EmulatorOptions } from "./options";
import type { EndReason, OrderRecord, ServerRecord, WalletRecord } from "./records";
import { CREATION_FEES, FIRST_ORDER_ID, MY_USER_ID, USD_RATES, seedServers, seedWallets } from "./seed-data";
import { round, token } from "./util";
import type { VirtualClock } from "./virtual-clock";

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/**
 * Longest real wait between two ticks. Re-checking every second keeps boots on time when
 * someone changes `options.timeScale` after the timer was armed (plain writes are not observable).
 */
const MAX_TIMER_MS = 1000;

/** Everything the emulator knows, in one place: servers, wallets, orders and the running ports. */
export class EmulatorState {
  readonly userId = MY_USER_ID;
  readonly usdRates: Record<Currency, number> = { ...USD_RATES };
  readonly servers = new Map<number, ServerRecord>();
  readonly wallets = new Map<Currency, WalletRecord>();
  readonly orders = new Map<number, OrderRecord>();
  private nextId = FIRST_ORDER_ID;
  private nextFakePort = 0;
  private readonly containers: Containers;
  private timer?: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly clock: VirtualClock,
    private readonly options: EmulatorOptions,
    faults: FaultInjector,
  ) {
    this.containers = new Containers(options, () => clock.now(), faults);
    this.seed();
  }

  now(): number {
    return this.clock.now();
  }

  /** Back to the seed data; running ports and sandboxes close. Order ids start over. */
  reset(): void {
    this.containers.stopAll();
    this.seed();
    this.schedule();
  }

  private seed(): void {
    this.servers.clear();
    this.wallets.clear();
    this.orders.clear();
    for (const s of seedServers()) this.servers.set(s.id, s);
    for (const w of seedWallets()) this.wallets.set(w.name, w);
    Object.assign(this.usdRates, USD_RATES);
    this.nextId = FIRST_ORDER_ID;
    this.nextFakePort = this.options.fakePortBase;
  }

  // ---- servers ----

  hostedServers(): ServerRecord[] {
    return [...this.servers.values()].filter((s) => s.owner === this.userId && s.name !== undefined);
  }

  hostedServer(name: string): ServerRecord | undefined {
    return this.hostedServers().find((s) => s.name === name);
  }

  /** Servers /marketplace lists: connected, public, with specs (offline ones per `listOfflineServers`). */
  marketplaceServers(): ServerRecord[] {
    return [...this.servers.values()].filter(
      (s) => s.connected && s.specs && s.visibility === "public" && (s.online || this.options.listOfflineServers),
    );
  }

  /** The active orders on this server, in creation order. */
  activeOrdersOn(serverId: number): OrderRecord[] {
    return [...this.orders.values()].filter((o) => o.serverId === serverId && o.state === "active");
  }

  isRented(s: ServerRecord): boolean {
    return s.rentedByOthers || this.activeOrdersOn(s.id).length > 0;
  }

  /** Price per day per currency after autoprice: `"usd"` derives the coin price from usd_pricing. */
  pricing(s: ServerRecord, kind: "on_demand" | "spot"): Pricing {
    const out: Pricing = { ...(kind === "on_demand" ? s.onDemand : s.spotMin) };
    for (const [c, mode] of Object.entries(s.autoprice)) {
      const usd = s.usdPricing[c]?.[kind];
      const rate = this.usdRates[c as Currency];
      if (mode === "usd" && usd !== undefined && rate) out[c] = round(usd / rate, 10);
    }
    return out;
  }

  /** Lowest spot bid the server takes in `currency` (after autoprice), if it sets one. */
  spotMin(s: ServerRecord, currency: Currency): number | undefined {
    const min = this.pricing(s, "spot")[currency];
    return typeof min === "number" ? min : undefined;
  }

  /** A bid under the server's minimum spot price (no minimum: never). */
  belowSpotMin(s: ServerRecord, currency: Currency, price: number): boolean {
    const min = this.spotMin(s, currency);
    return min !== undefined && price < min;
  }

  // ---- wallets and spend ----

  spend(o: OrderRecord, at = this.now()): number {
    const end = o.state === "active" ? at : Math.min(at, o.endedAt ?? at);
    const billFrom = this.options.billingStartsAt === "create" ? o.createdAt : o.bootAt;
    const running = Math.max(0, end - Math.max(o.priceSince, billFrom));
    return round(o.spendAccrued + (o.price * running) / DAY_MS, 10);
  }

  walletBalance(c: Currency): number {
    const w = this.wallets.get(c);
    if (!w) return 0;
    let spent = 0;
    for (const o of this.orders.values()) if (o.currency === c) spent += this.spend(o);
    return round(w.base - spent, 10);
  }

  /** The wallet covers the creation fee plus `options.minBalanceHours` of running at `pricePerDay`. */
  canAfford(c: Currency, fee: number, pricePerDay: number): boolean {
    return this.walletBalance(c) >= fee + (pricePerDay * this.options.minBalanceHours) / HOURS_PER_DAY;
  }

  /** Set what /wallets shows now; running orders keep spending from there. */
  setWalletBalance(c: Currency, balance: number): void {
    const w = this.wallets.get(c);
    if (!w) throw new RangeError(`unknown currency ${c}`);
    w.base += balance - this.walletBalance(c);
  }

  // ---- orders ----

  creationFee(type: "on-demand" | "spot", currency: Currency): number {
    return CREATION_FEES[type === "spot" ? "spot" : "on_demand"][currency];
  }

  createOrder(input: {
    serverId: number;
    type: "on-demand" | "spot";
    currency: Currency;
    image: string;
    price: number;
    ports?: Record<string, "tcp" | "http">;
    env?: Record<string, string>;
    command?: string;
    sshPassword?: string;
    sshKey?: string;
    createdBy: string;
    gigaspot?: boolean;
    oc?: unknown[];
    creationFee?: number;
  }): OrderRecord {
    const now = this.now();
    const creationFee = input.creationFee ?? this.creationFee(input.type, input.currency);
    this.wallets.get(input.currency)!.base -= creationFee;
    const id = this.nextId++;
    const ports = input.ports ?? {};
    const visibleAt = now + this.options.orderVisibleDelayMs;
    const order: OrderRecord = {
      id,
      serverId: input.serverId,
      type: input.type,
      gigaspot: input.gigaspot ?? false,
      currency: input.currency,
      image: input.image,
      price: input.price,
      creationFee,
      createdAt: now,
      visibleAt,
      bootAt: visibleAt + this.options.bootDelayMs,
      ports,
      env: input.env ?? {},
      tcpPorts: [],
      httpPort: Object.keys(ports).find((p) => ports[p] === "http") ?? "",
      httpPub: "",
      autoLogin: token(`auto-login-${id}`, 16),
      booted: false,
      booting: false,
      state: "active",
      spendAccrued: 0,
      priceSince: now,
      createdBy: input.createdBy,
      oc: input.oc,
      command: input.command,
      sshPassword: input.sshPassword,
      sshKey: input.sshKey,
    };
    this.orders.set(id, order);
    if (order.type === "spot") for (const f of this.servers.get(order.serverId)?.foreignOffers ?? []) f.active = false;
    this.tick();
    return order;
  }

  /** Listed by my_orders without return_completed: active and visible, or cancelled within `cancelLingerMs`. */
  isListedActive(o: OrderRecord, now = this.now()): boolean {
    if (now < o.visibleAt) return false;
    if (o.state === "active") return true;
    return o.endReason === "cancelled" && now < (o.endedAt ?? 0) + this.options.cancelLingerMs;
  }

  endOrder(id: number, reason: EndReason): OrderRecord {
    const o = this.orders.get(id);
    if (!o) throw new RangeError(`order ${id} does not exist`);
    if (o.state !== "active") throw new RangeError(`order ${id} already ended (${o.state})`);
    const now = this.now();
    o.spendAccrued = this.spend(o, now);
    o.priceSince = now;
    o.state = reason === "cancelled" ? "cancelled" : "expired";
    o.endReason = reason;
    o.endedAt = now;
    this.containers.stop(o);
    this.schedule();
    return o;
  }

  /** Network faults on an order's SSH connections: cut them all, or freeze them for `freezeMs`; returns how many. */
  sshFault(id: number, fault: { cut: true } | { freezeMs: number }): number {
    const o = this.orders.get(id);
    if (o?.state !== "active") throw new RangeError(`order ${id} is not active`);
    return this.containers.sshFault(id, fault);
  }

  /** Someone bids higher: the spot order ends (expired) and their offer takes over. */
  outbid(id: number): OrderRecord {
    const o = this.orders.get(id);
    if (o?.state !== "active" || o.type !== "spot") throw new RangeError(`order ${id} is not an active spot order`);
    const server = this.servers.get(o.serverId);
    server?.foreignOffers.push({
      offer_id: this.nextId++,
      owner: 9001,
      bid: round(o.price * 1.1, 10),
      currency: o.currency,
      active: true,
    });
    return this.endOrder(id, "outbid");
  }

  /** Change a spot bid; spend so far is kept at the old price. */
  setPrice(o: OrderRecord, price: number): void {
    const now = this.now();
    o.spendAccrued = this.spend(o, now);
    o.priceSince = now;
    if (price < o.price) o.lastLoweredAt = now;
    o.price = price;
  }

  // ---- time: boot, mrl expiry, and the timer that drives them without requests ----

  /** Apply every transition due at the current virtual time, then arm the timer for the next. */
  tick(): void {
    if (this.closed) return;
    const now = this.now();
    for (const o of this.orders.values()) {
      if (o.state !== "active") continue;
      const server = this.servers.get(o.serverId);
      if (this.options.endOrdersAfterMrl && server && now >= o.createdAt + server.mrl * HOUR_MS) {
        this.endOrder(o.id, "expired");
        continue;
      }
      if (!o.booted && !o.booting && now >= o.bootAt) this.containers.track(this.boot(o));
    }
    this.schedule();
  }

  /** Resolves when port listeners being opened or closed are done. */
  idle(): Promise<void> {
    return this.containers.idle();
  }

  /** tick + idle: what a request sees is the state at this virtual instant, ports included. */
  async sync(): Promise<void> {
    this.tick();
    await this.idle();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.containers.stopAll();
    await this.idle();
  }

  /** The container starts: public ports are assigned (and, with listenTcpPorts, really listen; with sshd, its sandbox starts). */
  private async boot(o: OrderRecord): Promise<void> {
    o.booting = true;
    // Still this state's running order (not ended, not wiped by reset(), emulator open)?
    const live = () => o.state === "active" && this.orders.get(o.id) === o && !this.closed;
    const tcp = Object.keys(o.ports).filter(
      (p) => o.ports[p] === "tcp" || (this.options.httpPortInTcpPorts && o.ports[p] === "http"),
    );
    let mapped: { container: string; public: number }[];
    try {
      mapped = this.options.listenTcpPorts
        ? await this.containers.start(o, tcp, live)
        : tcp.map((p) => ({ container: p, public: this.nextFakePort++ }));
    } catch (e) {
      o.bootError = (e as Error).message;
      throw e;
    } finally {
      o.booting = false;
    }
    o.bootError = undefined;
    if (!live()) return;
    o.tcpPorts = mapped;
    o.httpPub = o.httpPort ? `${token(`http-${o.id}`, 12)}.${this.options.httpPubDomain}` : "";
    o.booted = true;
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.closed) return;
    let next = Infinity;
    for (const o of this.orders.values()) {
      if (o.state !== "active") continue;
      if (!o.booted && !o.booting) next = Math.min(next, o.bootAt);
      const server = this.servers.get(o.serverId);
      if (this.options.endOrdersAfterMrl && server) next = Math.min(next, o.createdAt + server.mrl * HOUR_MS);
    }
    if (next === Infinity) return;
    // +1 ms so the tick lands at or after the due time despite float rounding.
    const delay = Math.min(MAX_TIMER_MS, Math.ceil(this.clock.realDelayUntil(next)) + 1);
    this.timer = setTimeout(() => this.tick(), delay);
    this.timer.unref();
  }
}
