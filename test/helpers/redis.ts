import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { createServer, connect } from "node:net";
import { join } from "node:path";
import { keyFingerprint } from "../../provider/sdk";
import { scratchDir } from "./scratch-dir";

const REDIS_SERVER = "/usr/bin/redis-server";

export const hasRedisServer = (): boolean => existsSync(REDIS_SERVER);

/** A real redis-server on 127.0.0.1 (Debian's package), with its own dir and config; stopped by PID. */
export interface TestRedis {
  /** redis://[:password@]127.0.0.1:port, or rediss:// with `tls` (then `caFile` signed its certificate). */
  url: string;
  /** With `tls`: the PEM of the test CA that signed the server's certificate (for 127.0.0.1). */
  caFile?: string;
  port: number;
  password?: string;
  pid(): number | undefined;
  /** SIGKILL (a crash, or a cut network as the clients see it) and wait for the exit. */
  kill(): Promise<void>;
  /** Start again on the same port (the data is gone: no persistence). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface RedisOptions {
  password?: string;
  /** TLS only (no plain port), with a certificate for 127.0.0.1 from a CA made for the test. */
  tls?: boolean;
  /** An ACL user besides the default one: `rules` as in redis.conf's `user` line after the name and password. */
  user?: { name: string; password: string; rules: string };
}

export async function startRedis(options: RedisOptions = {}): Promise<TestRedis> {
  const dir = scratchDir("redis");
  const port = await freePort();
  const tls = options.tls ? testCertificates(dir) : undefined;
  const conf = join(dir, "redis.conf");
  writeFileSync(
    conf,
    [
      "bind 127.0.0.1",
      ...(tls
        ? [
            "port 0",
            `tls-port ${port}`,
            `tls-cert-file ${tls.cert}`,
            `tls-key-file ${tls.key}`,
            `tls-ca-cert-file ${tls.ca}`,
            "tls-auth-clients no",
          ]
        : [`port ${port}`]),
      `dir ${dir}`,
      "save ''",
      "appendonly no",
      "daemonize no",
      "protected-mode yes",
      `logfile ${join(dir, "redis.log")}`,
      ...(options.password ? [`requirepass ${options.password}`] : []),
      ...(options.user ? [`user ${options.user.name} on >${options.user.password} ${options.user.rules}`] : []),
    ].join("\n"),
  );
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(REDIS_SERVER, [conf], { stdio: "ignore" });
    await waitForPort(port);
  };
  const exit = async (signal: NodeJS.Signals) => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const gone = new Promise((r) => c.once("exit", r));
    if (c.pid) process.kill(c.pid, signal);
    await gone;
  };
  await start();
  const auth = options.password ? `:${encodeURIComponent(options.password)}@` : "";
  return {
    url: `${tls ? "rediss" : "redis"}://${auth}127.0.0.1:${port}`,
    caFile: tls?.ca,
    port,
    password: options.password,
    pid: () => child?.pid,
    kill: () => exit("SIGKILL"),
    restart: start,
    stop: () => exit("SIGTERM"),
  };
}

/** A CA and a server certificate for 127.0.0.1 signed by it, made with the openssl CLI. */
function testCertificates(dir: string): { ca: string; cert: string; key: string } {
  const f = (name: string) => join(dir, name);
  const ssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "ignore" });
  ssl(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "1",
    "-subj",
    "/CN=clore test CA",
    "-keyout",
    f("ca.key"),
    "-out",
    f("ca.pem"),
  );
  ssl(
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-subj",
    "/CN=127.0.0.1",
    "-keyout",
    f("redis.key"),
    "-out",
    f("redis.csr"),
  );
  writeFileSync(f("san.ext"), "subjectAltName=IP:127.0.0.1\n");
  ssl(
    "x509",
    "-req",
    "-in",
    f("redis.csr"),
    "-CA",
    f("ca.pem"),
    "-CAkey",
    f("ca.key"),
    "-CAcreateserial",
    "-days",
    "1",
    "-extfile",
    f("san.ext"),
    "-out",
    f("redis.pem"),
  );
  return { ca: f("ca.pem"), cert: f("redis.pem"), key: f("redis.key") };
}

/** The key's rate-limit record as a Redis holds it (undefined when none was written). */
export async function slotRecord(
  url: string,
  apiKey: string,
  options: Record<string, unknown> = {},
): Promise<string | undefined> {
  const Redis = require("ioredis");
  const raw = new Redis(url, options);
  try {
    return (await raw.get(`clore:rate-slots:${keyFingerprint(apiKey)}`)) ?? undefined;
  } finally {
    raw.disconnect();
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ok = await new Promise<boolean>((r) => {
      const s = connect(port, "127.0.0.1");
      s.once("connect", () => {
        s.destroy();
        r(true);
      });
      s.once("error", () => r(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`redis-server did not listen on ${port} in 10 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
