import * as net from "node:net";

/**
 * A loopback TCP proxy to stand between a client and a server, for network faults: `cut()`
 * closes every connection cleanly, `freeze(ms)` forwards nothing either way for a while
 * without closing (a silent partition), `retarget(port)` sends new connections elsewhere
 * (another server answering on the same address).
 */
export interface TcpProxy {
  readonly port: number;
  /** Connections open now. */
  readonly open: number;
  cut(): number;
  freeze(ms: number): number;
  retarget(port: number): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  let target = targetPort;
  const pairs = new Set<{ a: net.Socket; b: net.Socket; frozen: boolean }>();
  const server = net.createServer((a) => {
    const b = net.connect(target, "127.0.0.1");
    const pair = { a, b, frozen: false };
    pairs.add(pair);
    a.setNoDelay(true);
    b.setNoDelay(true);
    const forward = (from: net.Socket, to: net.Socket) => from.on("data", (d) => to.write(d));
    forward(a, b);
    forward(b, a);
    const end = () => {
      pairs.delete(pair);
      a.destroy();
      b.destroy();
    };
    for (const s of [a, b]) s.on("error", end).on("close", end);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    get open() {
      return pairs.size;
    },
    cut() {
      const n = pairs.size;
      for (const p of [...pairs]) {
        p.a.destroy();
        p.b.destroy();
      }
      return n;
    },
    freeze(ms) {
      const now = [...pairs];
      for (const p of now) {
        p.frozen = true;
        p.a.pause();
        p.b.pause();
      }
      setTimeout(() => {
        for (const p of now) {
          p.frozen = false;
          if (!p.a.destroyed) p.a.resume();
          if (!p.b.destroyed) p.b.resume();
        }
      }, ms).unref();
      return now.length;
    },
    retarget(port) {
      target = port;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const p of pairs) {
          p.a.destroy();
          p.b.destroy();
        }
        server.close(() => resolve());
      }),
  };
}
