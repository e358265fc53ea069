import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { createServer, connect } from "node:net";
import { join } from "node:path";
import { scratchDir } from "./scratch-dir";

const REDIS_SERVER = "/usr/bin/redis-server";

export const hasRedisServer = (): boolean => existsSync(REDIS_SERVER);

/** A real redis-server on 127.0.0.1 (Debian's package), with its own dir and config; stopped by PID. */
export interface TestRedis {
  /** redis://[:password@]127.0.0.1:port */
  url: string;
  port: number;
  password?: string;
  pid(): number | undefined;
  /** SIGKILL (a crash, or a cut network as the clients see it) and wait for the exit. */
  kill(): Promise<void>;
  /** Start again on the same port (the data is gone: no persistence). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startRedis(options: { password?: string } = {}): Promise<TestRedis> {
  const dir = scratchDir("redis");
  const port = await freePort();
  const conf = join(dir, "redis.conf");
  writeFileSync(
    conf,
    [
      "bind 127.0.0.1",
      `port ${port}`,
      `dir ${dir}`,
      "save ''",
      "appendonly no",
      "daemonize no",
      "protected-mode yes",
      `logfile ${join(dir, "redis.log")}`,
      ...(options.password ? [`requirepass ${options.password}`] : []),
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
    url: `redis://${auth}127.0.0.1:${port}`,
    port,
    password: options.password,
    pid: () => child?.pid,
    kill: () => exit("SIGKILL"),
    restart: start,
    stop: () => exit("SIGTERM"),
  };
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
