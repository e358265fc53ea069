import type { ReadStream } from "node:tty";
import type { ClientChannel } from "ssh2";
import type { ShellOptions, SessionLink } from "./session";

/**
 * A login shell like plain `ssh host`: with a terminal on stdin it asks for a pty and puts the
 * terminal in raw mode (restored after); otherwise it pipes, so `echo cmd | clore ssh ID --exec` works.
 */
export async function openShell(link: SessionLink, o: ShellOptions): Promise<number> {
  const startedAt = performance.now();
  if (!link.connected) throw link.lost("shell", startedAt);
  const tty = (o.stdin as ReadStream).isTTY ? (o.stdin as ReadStream) : undefined;
  const size = o.stdout as { columns?: number; rows?: number };
  const pty = tty
    ? { term: o.term ?? process.env.TERM ?? "xterm", cols: size.columns ?? 80, rows: size.rows ?? 24 }
    : false;
  let restore: () => void = () => {};
  try {
    return await new Promise<number>((resolve, reject) => {
      link.client.shell(pty, (e, channel: ClientChannel) => {
        if (e) return reject(link.connected ? e : link.lost("shell", startedAt, e));
        // Listeners first, in this callback: the exit status may come in the same read.
        let code: number | undefined;
        channel.on("exit", (c: number | null) => (code = c ?? 255));
        channel.on("close", () => (code === undefined ? reject(link.lost("shell", startedAt)) : resolve(code)));
        tty?.setRawMode(true);
        o.stdin.pipe(channel);
        channel.on("data", (d: Buffer) => o.stdout.write(d));
        channel.stderr.on("data", (d: Buffer) => o.stderr.write(d));
        restore = () => {
          o.stdin.unpipe(channel);
          tty?.setRawMode(false);
          o.stdin.pause();
        };
      });
    });
  } finally {
    restore();
  }
}
