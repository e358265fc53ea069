import type { ChildProcess } from "node:child_process";
import { timingSafeEqual } from "node:crypto";
import type * as net from "node:net";
import type { Writable } from "node:stream";
import {
  type AuthContext,
  type Connection,
  type ParsedKey,
  Server,
  type ServerChannel,
  type Session,
  utils,
} from "ssh2";
import type { Sandbox } from "./sandbox";
import { serveSftp } from "./sftp-server";

/** What our sshd calls itself: `SSH-2.0-CloreEmulator`, the banner the plain listener sends too. */
const IDENT = "CloreEmulator";
/** OpenSSH's default AcceptEnv: only locale variables may come as `env` requests. */
const ACCEPTED_ENV = /^(LANG|LC_[A-Z_]+)$/;

export interface OrderSshdConfig {
  /** The emulator run's host key (private, OpenSSH format). */
  hostKey: string;
  /** The order's sshPassword, if it was created with one. */
  password?: string;
  /** The order's sshKey (an OpenSSH public key line), if any. */
  publicKey?: string;
  sandbox: Sandbox;
  /** False while sshd is still starting (sshdStartDelayMs): connections are accepted and closed at once. */
  started(): boolean;
  /** An `ssh-drop` fault for the next command, if one waits: real ms after which to drop the connection. */
  takeDrop(): number | undefined;
}

/** The port listener's connection handler, plus the network faults on the order's connections. */
export interface OrderSshd {
  (socket: net.Socket): void;
  /** Close every SSH connection of the order now (a clean TCP close); returns how many. */
  cut(): number;
  /**
   * Stop forwarding both ways on every open connection for `ms` real ms, without closing
   * (a silent partition: what was sent waits, nothing is lost); returns how many.
   */
  freeze(ms: number): number;
}

/**
 * The order's SSH server (ssh2's server side) for the public port mapped from container port
 * 22: root logs in with the order's sshPassword or sshKey, exec and shell run /bin/sh in the
 * sandbox, and SFTP serves the sandbox as "/". Returns the port listener's connection handler.
 */
export function orderSshd(cfg: OrderSshdConfig): OrderSshd {
  const sockets = new Map<number, net.Socket>();
  const key = cfg.publicKey !== undefined ? utils.parseKey(cfg.publicKey) : undefined;
  const publicKey = key && !(key instanceof Error) ? (Array.isArray(key) ? key[0] : key) : undefined;
  const server = new Server({ hostKeys: [cfg.hostKey], ident: IDENT }, (client, info) => {
    serveClient(client, cfg, publicKey, () => sockets.get(info.port));
  });
  const handle = (socket: net.Socket) => {
    if (!cfg.started()) return void socket.destroy();
    const port = socket.remotePort ?? 0;
    sockets.set(port, socket);
    socket.once("close", () => sockets.delete(port));
    socket.setNoDelay(true); // request/response traffic: no Nagle delay on each small packet
    server.injectSocket(socket);
  };
  return Object.assign(handle, {
    cut: () => {
      const open = [...sockets.values()];
      for (const s of open) s.destroy();
      return open.length;
    },
    freeze: (ms: number) => {
      const open = [...sockets.values()];
      for (const s of open) freezeSocket(s, ms);
      return open.length;
    },
  });
}

/** Hold a socket's traffic both ways for `ms`: reads paused, writes queued, then all released in order. */
function freezeSocket(socket: net.Socket, ms: number): void {
  const queued: Parameters<net.Socket["write"]>[] = [];
  const write = socket.write;
  socket.pause();
  socket.write = ((...args: Parameters<net.Socket["write"]>) => {
    queued.push(args);
    return true;
  }) as net.Socket["write"];
  setTimeout(() => {
    socket.write = write;
    if (socket.destroyed) return;
    for (const args of queued) socket.write(...(args as [Buffer]));
    socket.resume();
  }, ms).unref();
}

function serveClient(
  client: Connection,
  cfg: OrderSshdConfig,
  publicKey: ParsedKey | undefined,
  socket: () => net.Socket | undefined,
): void {
  const methods = [
    ...(cfg.password !== undefined ? ["password", "keyboard-interactive"] : []),
    ...(publicKey ? ["publickey"] : []),
  ] as AuthContext["method"][];
  client.on("authentication", (ctx) => {
    if (ctx.username !== "root") return ctx.reject(methods);
    switch (ctx.method) {
      case "password":
        return cfg.password !== undefined && same(ctx.password, cfg.password) ? ctx.accept() : ctx.reject(methods);
      case "keyboard-interactive":
        if (cfg.password === undefined) return ctx.reject(methods);
        return ctx.prompt([{ prompt: "Password: ", echo: false }], (answers) =>
          same(answers[0] ?? "", cfg.password!) ? ctx.accept() : ctx.reject(methods),
        );
      case "publickey": {
        const matches = publicKey && ctx.key.algo === publicKey.type && ctx.key.data.equals(publicKey.getPublicSSH());
        // Without a signature the client only asks whether the key would do.
        const signed = !ctx.signature || publicKey?.verify(ctx.blob!, ctx.signature, ctx.hashAlgo) === true;
        return matches && signed ? ctx.accept() : ctx.reject(methods);
      }
      default:
        return ctx.reject(methods);
    }
  });
  client.on("ready", () => client.on("session", (accept) => serveSession(accept(), cfg, socket)));
  client.on("error", () => undefined);
}

function serveSession(session: Session, cfg: OrderSshdConfig, socket: () => net.Socket | undefined): void {
  const env: Record<string, string> = {};
  let child: ChildProcess | undefined;
  session.on("pty", (accept) => accept?.());
  session.on("window-change", (accept) => accept?.());
  session.on("env", (accept, reject, info) => {
    if (!ACCEPTED_ENV.test(info.key)) return reject?.();
    env[info.key] = info.val;
    accept?.();
  });
  // Like OpenSSH: the signal goes to the session's shell only.
  session.on("signal", (accept, _reject, info) => {
    child?.kill(`SIG${info.name.replace(/^SIG/, "")}` as NodeJS.Signals);
    accept?.();
  });
  const start = (channel: ServerChannel, command: string | undefined) => {
    child = run(channel, command, cfg, env);
    const drop = child ? cfg.takeDrop() : undefined;
    if (drop !== undefined) setTimeout(() => socket()?.destroy(), drop).unref();
  };
  session.on("exec", (accept, _reject, info) => start(accept(), info.command));
  session.on("shell", (accept) => start(accept(), undefined));
  session.on("sftp", (accept) => serveSftp(accept(), cfg.sandbox.dir));
  session.on("subsystem", (_accept, reject) => reject?.());
}

/** `/bin/sh -c command` (or `-i`) in the sandbox, wired to the channel; exit status sent once all output is out. */
function run(
  channel: ServerChannel,
  command: string | undefined,
  cfg: OrderSshdConfig,
  env: Record<string, string>,
): ChildProcess | undefined {
  let child: ChildProcess;
  try {
    child = cfg.sandbox.spawn(command, { env });
  } catch (e) {
    channel.stderr.write(`${(e as Error).message}\n`);
    channel.exit(255);
    channel.end();
    return undefined;
  }
  child.stdout!.pipe(channel, { end: false });
  child.stderr!.pipe(channel.stderr, { end: false });
  channel.pipe(child.stdin!);
  child.stdin!.on("error", () => undefined);
  child.once("error", (e) => channel.stderr.write(`sh: ${e.message}\n`));
  child.once("close", async (code, signal) => {
    await Promise.all([flushed(channel), flushed(channel.stderr)]);
    if (signal) channel.exit(signal.replace(/^SIG/, ""), false, "");
    else channel.exit(code ?? 255);
    channel.end();
  });
  // The client hung up (or the connection dropped). Like OpenSSH without a terminal: no
  // signal; the command's pipes close, so it reads EOF and dies of SIGPIPE at its next write.
  // A detached one (own session, stdio elsewhere) lives on until the order ends.
  channel.once("close", () => {
    child.stdout!.unpipe(channel);
    child.stderr!.unpipe(channel.stderr);
    child.stdout!.destroy();
    child.stderr!.destroy();
    child.stdin!.destroy();
  });
  return child;
}

/** Resolves once everything written before is out of the stream's queue. */
function flushed(stream: Writable): Promise<void> {
  return new Promise((resolve) => (stream.writable ? stream.write(Buffer.alloc(0), () => resolve()) : resolve()));
}

/** Constant-time comparison (a failed login must not tell how much of the password matched). */
function same(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
