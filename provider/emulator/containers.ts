import type { FaultInjector } from "./faults";
import { newHostKey } from "./host-key";
import type { EmulatorOptions } from "./options";
import { type ConnectionHandler, PortListeners, plainHandler } from "./port-listeners";
import type { OrderRecord } from "./records";
import { type Sandbox, Sandboxes } from "./sandbox";
import { type OrderSshd, orderSshd } from "./ssh-server";

/**
 * What runs while an order is online: its public port listeners and, with `sshd`, its
 * sandbox (the boot command, SSH sessions, SFTP). Started at boot, stopped when the order
 * ends, all stopped at reset/close.
 */
export class Containers {
  private readonly ports = new PortListeners();
  private readonly sandboxes = new Sandboxes();
  /** One host key per emulator run, made on first use (a fresh rental has a fresh key too). */
  private hostKey?: string;
  /** The sshd of each order that runs one. */
  private readonly sshds = new Map<number, OrderSshd>();

  constructor(
    private readonly options: EmulatorOptions,
    private readonly now: () => number,
    private readonly faults: FaultInjector,
  ) {}

  /** Listen on a public port per container port; `live()` says whether the order still runs once they are ready. */
  async start(
    o: OrderRecord,
    tcpPorts: string[],
    live: () => boolean,
  ): Promise<{ container: string; public: number }[]> {
    const box = this.options.sshd ? this.sandboxes.create(o.id, o.env) : undefined;
    if (box && o.command) box.startBootCommand(o.command);
    const sshdUpAt = this.now() + this.options.sshdStartDelayMs;
    try {
      const mapped = await this.ports.open(
        o.id,
        tcpPorts,
        (p) => (p === "22" && box ? this.sshd(o, box, sshdUpAt) : plainHandler(p, this.options.sshBanner)),
        live,
      );
      if (box && live()) o.sandboxDir = box.dir;
      else if (box) this.sandboxes.remove(o.id);
      return mapped;
    } catch (e) {
      if (box) this.sandboxes.remove(o.id);
      throw e;
    }
  }

  /** The order ended: ports close, its processes are killed and its sandbox removed. */
  stop(o: OrderRecord): void {
    this.ports.close(o.id);
    this.sshds.get(o.id)?.cut();
    this.sshds.delete(o.id);
    this.sandboxes.remove(o.id);
    o.sandboxDir = undefined;
  }

  stopAll(): void {
    this.ports.closeAll();
    for (const sshd of this.sshds.values()) sshd.cut();
    this.sshds.clear();
    this.sandboxes.removeAll();
  }

  track(p: Promise<unknown>): void {
    this.ports.track(p);
  }

  idle(): Promise<void> {
    return this.ports.idle();
  }

  private sshd(o: OrderRecord, sandbox: Sandbox, upAt: number): ConnectionHandler {
    this.hostKey ??= newHostKey();
    const sshd = orderSshd({
      hostKey: this.hostKey,
      password: o.sshPassword,
      publicKey: o.sshKey,
      sandbox,
      started: () => this.now() >= upAt,
      takeDrop: () => this.faults.takeSsh("ssh-drop")?.delayMs,
    });
    this.sshds.set(o.id, sshd);
    return sshd;
  }

  /** Network faults on an order's SSH connections (OrderSshd.cut/freeze); 0 when it runs no sshd. */
  sshFault(orderId: number, fault: { cut: true } | { freezeMs: number }): number {
    const sshd = this.sshds.get(orderId);
    if (!sshd) return 0;
    return "cut" in fault ? sshd.cut() : sshd.freeze(fault.freezeMs);
  }
}
