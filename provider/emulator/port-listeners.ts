import * as net from "node:net";

/** What a public port does with each accepted connection. */
export type ConnectionHandler = (socket: net.Socket) => void;

/** The plain listener: port 22 writes an SSH-like banner, other ports just accept. */
export function plainHandler(containerPort: string, banner: string): ConnectionHandler {
  return (socket) => {
    if (containerPort === "22" && banner) socket.write(banner);
  };
}

/**
 * The "container" side of an order: a real TCP listener on 127.0.0.1 per public tcp port,
 * so a client can wait until SSH really answers. Closing destroys open connections too, so
 * the port is really gone.
 */
class PortListener {
  private constructor(
    private readonly server: net.Server,
    private readonly sockets: Set<net.Socket>,
    readonly port: number,
  ) {}

  static async open(handle: ConnectionHandler): Promise<PortListener> {
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => socket.destroy());
      handle(socket);
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    server.on("error", () => undefined);
    return new PortListener(server, sockets, (server.address() as net.AddressInfo).port);
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * The running "containers": listeners per order, plus the opening/closing still in flight,
 * so a request can wait until ports match the state it reports.
 */
export class PortListeners {
  private readonly byOrder = new Map<number, PortListener[]>();
  private readonly pending = new Set<Promise<unknown>>();

  /**
   * Listen on one public port per container port. The listeners belong to `orderId` only if
   * it is still running when they are ready (`keep()`); otherwise they are closed again.
   */
  async open(
    orderId: number,
    containerPorts: string[],
    handlerFor: (containerPort: string) => ConnectionHandler,
    keep: () => boolean,
  ): Promise<{ container: string; public: number }[]> {
    const opened: PortListener[] = [];
    try {
      for (const p of containerPorts) opened.push(await PortListener.open(handlerFor(p)));
    } catch (e) {
      this.track(Promise.all(opened.map((l) => l.close())));
      throw e;
    }
    if (keep()) this.byOrder.set(orderId, [...(this.byOrder.get(orderId) ?? []), ...opened]);
    else this.track(Promise.all(opened.map((l) => l.close())));
    return opened.map((l, i) => ({ container: containerPorts[i], public: l.port }));
  }

  close(orderId: number): void {
    const ls = this.byOrder.get(orderId);
    if (!ls) return;
    this.byOrder.delete(orderId);
    this.track(Promise.all(ls.map((l) => l.close())));
  }

  closeAll(): void {
    for (const id of [...this.byOrder.keys()]) this.close(id);
  }

  track(p: Promise<unknown>): void {
    const tracked: Promise<unknown> = p.catch(() => undefined).finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  async idle(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }
}
