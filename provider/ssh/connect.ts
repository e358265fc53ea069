import { Client, type ConnectConfig } from "ssh2";
import {
  type Clock,
  SshAuthError,
  SshConnectTimeoutError,
  SshConnectionRefusedError,
  type SshEndpoint,
  SshHostKeyMismatchError,
  systemClock,
} from "../sdk";
import { type HostKeyPolicy, TrustOnFirstUse, hostKeyFingerprint } from "./host-keys";
import type { SshSession } from "./session";
import { Ssh2Session } from "./ssh2-session";

/**
 * Where and how to log in: an order's `sshHost`/`sshPort` outputs plus the credentials it was
 * created with. The Clore API never returns the password, so it comes from the caller.
 */
export interface SshTarget {
  host: string;
  port: number;
  /** Default "root", the user of Clore's images. */
  user?: string;
  /** The order's sshPassword (also answers keyboard-interactive prompts). */
  password?: string;
  /** A private key (OpenSSH or PEM text) whose public half the order got as sshKey. */
  privateKey?: string | Buffer;
  passphrase?: string;
  /** An ssh-agent socket, e.g. process.env.SSH_AUTH_SOCK. */
  agent?: string;
}

export interface ConnectOptions {
  /**
   * How long to keep trying while the port refuses or sshd does not finish a handshake yet: a
   * fresh server's sshd comes up after its port answers. Default 120 000 ms; 0 tries once.
   */
  waitMs?: number;
  /** Per attempt: connect, handshake and login. Default 20 000 ms. */
  handshakeTimeoutMs?: number;
  /** Default: a fresh `TrustOnFirstUse` (see host-keys.ts); pass one per job to pin reconnects. */
  hostKeys?: HostKeyPolicy;
  /** Time source for the waits between attempts (tests pass a FakeClock). */
  clock?: Clock;
  /** Called before each wait between attempts. */
  onWait?: (wait: ConnectWait) => void;
  /** SSH keepalives, so a dead server is noticed mid-command. Default 10 000 ms. */
  keepaliveIntervalMs?: number;
  /**
   * Unanswered keepalives before the connection counts as lost. Default 3. ssh2 does not reset
   * the count on incoming data, so a silent link is noticed after interval × (count … count+1).
   */
  keepaliveCountMax?: number;
}

export interface ConnectWait {
  /** Attempts made so far. */
  attempt: number;
  elapsedMs: number;
  /** Why the last attempt failed, e.g. "connection refused". */
  reason: string;
  nextInMs: number;
}

type Attempt = { session: SshSession } | { retry: "refused" | "handshake"; reason: string; cause: unknown };

const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 2000;

/**
 * Log in, waiting (bounded) until sshd accepts. Retries refused and reset connections and
 * handshake timeouts; a refused login or a changed host key fails at once.
 *
 *     const ssh = await connectSsh({ host: out.sshHost, port: out.sshPort, password }, { onWait: (w) => log(w.reason) });
 */
export async function connectSsh(target: SshTarget, options: ConnectOptions = {}): Promise<SshSession> {
  const clock = options.clock ?? systemClock;
  const waitMs = options.waitMs ?? 120_000;
  const hostKeys = options.hostKeys ?? new TrustOnFirstUse();
  const at: SshEndpoint = { host: target.host, port: target.port, user: target.user ?? "root" };
  const start = clock.now();
  let delay = FIRST_DELAY_MS;
  for (let attempt = 1; ; attempt++) {
    const r = await attemptLogin(target, at, hostKeys, options);
    if ("session" in r) return r.session;
    const elapsedMs = clock.now() - start;
    if (elapsedMs + delay > waitMs) {
      throw r.retry === "refused"
        ? new SshConnectionRefusedError(at, attempt, elapsedMs, { cause: r.cause })
        : new SshConnectTimeoutError(at, attempt, elapsedMs, r.reason, { cause: r.cause });
    }
    options.onWait?.({ attempt, elapsedMs, reason: r.reason, nextInMs: delay });
    await clock.sleep(delay);
    delay = Math.min(MAX_DELAY_MS, delay * 2);
  }
}

/** Credentials offered, by ssh2's method names (for the auth error). */
function methodsOf(t: SshTarget): string[] {
  return [t.password !== undefined && "password", t.privateKey !== undefined && "publickey", t.agent && "agent"].filter(
    (m): m is string => Boolean(m),
  );
}

function attemptLogin(
  target: SshTarget,
  at: SshEndpoint,
  hostKeys: HostKeyPolicy,
  options: ConnectOptions,
): Promise<Attempt> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    let fingerprint = "";
    let mismatch: string | undefined;
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      fn();
    };
    client.on("keyboard-interactive", (_name, _instructions, _lang, prompts, finish) =>
      finish(prompts.map(() => target.password ?? "")),
    );
    client.once("ready", () => settle(() => resolve({ session: new Ssh2Session(client, at, fingerprint) })));
    // Commands and SFTP are request/response: Nagle would hold each small packet for an ACK.
    client.once("connect", () => client.setNoDelay(true));
    client.on("error", (e: Error & { level?: string; code?: string }) => {
      settle(() => {
        client.end();
        if (mismatch !== undefined) reject(new SshHostKeyMismatchError(at, mismatch, fingerprint));
        else if (e.level === "client-authentication") reject(new SshAuthError(at, methodsOf(target), { cause: e }));
        else if (e.code === "ECONNREFUSED") resolve({ retry: "refused", reason: "connection refused", cause: e });
        else resolve({ retry: "handshake", reason: describe(e), cause: e });
      });
    });
    client.once("close", () =>
      settle(() =>
        resolve({ retry: "handshake", reason: "connection closed before the SSH handshake", cause: undefined }),
      ),
    );
    const config: ConnectConfig = {
      host: target.host,
      port: target.port,
      username: at.user,
      password: target.password,
      privateKey: target.privateKey,
      passphrase: target.passphrase,
      agent: target.agent,
      tryKeyboard: target.password !== undefined,
      readyTimeout: options.handshakeTimeoutMs ?? 20_000,
      keepaliveInterval: options.keepaliveIntervalMs ?? 10_000,
      keepaliveCountMax: options.keepaliveCountMax ?? 3,
      hostVerifier: (key: Buffer) => {
        fingerprint = hostKeyFingerprint(key);
        mismatch = hostKeys.check(target.host, target.port, fingerprint);
        return mismatch === undefined;
      },
    };
    client.connect(config);
  });
}

function describe(e: Error & { code?: string; level?: string }): string {
  if (e.level === "client-timeout") return "no SSH handshake in time";
  if (/before handshake/i.test(e.message) || e.code === "ECONNRESET")
    return "connection closed before the SSH handshake";
  return e.code ? `${e.code} (${e.message})` : e.message;
}
