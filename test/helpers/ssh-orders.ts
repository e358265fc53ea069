// Orders with a live sshd on a fast emulator, for the SSH module, emulator and CLI specs.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import * as net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Emulator, type EmulatorOrder, type StartEmulatorOptions, startEmulator } from "../../provider/emulator";
import type { SshTarget } from "../../provider/ssh";
import { call, onDemandBody } from "../emulator/helpers";

/** Orders boot at once; time runs 100x; no API rate limits (the specs call create_order directly). */
export function startSshEmulator(opts: StartEmulatorOptions = {}): Promise<Emulator> {
  return startEmulator({ port: 0, timeScale: 0.01, bootDelayMs: 0, rateLimit: false, ...opts });
}

/**
 * Mocha hooks: one SSH emulator for the suite, back to the seed data (and sshd up at once)
 * before each test. Read `.emu` inside the tests.
 */
export function useSshEmulator(opts: StartEmulatorOptions = {}): { readonly emu: Emulator } {
  let emu: Emulator | undefined;
  before(async () => {
    emu = await startSshEmulator(opts);
  });
  after(() => emu?.close());
  beforeEach(() => {
    emu!.reset();
    Object.assign(emu!.options, { sshd: true, sshdStartDelayMs: 0, listenTcpPorts: true });
  });
  return {
    get emu() {
      return emu!;
    },
  };
}

/** Seed servers any order may rent (online, free, USD). */
const SERVERS = [60101, 60103, 52211, 38811, 40329, 41873];

export interface SshOrder {
  order: EmulatorOrder;
  port: number;
  target: SshTarget;
}

/**
 * Rent a server through create_order (so the emulator stores the credentials the way the API
 * receives them) with port 22 published, and wait for it to boot.
 */
export async function rentSshOrder(
  emu: Emulator,
  body: { ssh_password?: string; ssh_key?: string; env?: Record<string, string>; command?: string } = {
    ssh_password: "pw-emulated",
  },
): Promise<SshOrder> {
  const busy = new Set(emu.activeOrders().map((o) => o.serverId));
  const serverId = SERVERS.find((s) => !busy.has(s));
  if (serverId === undefined) throw new Error("no free seed server left; cancel some orders first");
  const r = await call(emu, "create_order", { body: onDemandBody(serverId, { ports: { "22": "tcp" }, ...body }) });
  if (r.body?.code !== 0) throw new Error(`create_order failed: ${r.text}`);
  await emu.idle();
  const order = emu.activeOrders().find((o) => o.serverId === serverId)!;
  const port = order.tcpPorts.find((p) => p.container === "22")!.public;
  return { order, port, target: { host: "127.0.0.1", port, password: body.ssh_password } };
}

export async function cancel(emu: Emulator, id: number): Promise<void> {
  await call(emu, "cancel_order", { body: { id } });
  await emu.idle();
}

let keysDir: string | undefined;

/** A throwaway ed25519 key pair made by OpenSSH's ssh-keygen, in a temp dir removed when the process exits. */
export function opensshKeyPair(): { dir: string; privatePath: string; privateKey: string; publicKey: string } {
  if (keysDir === undefined) {
    const all = (keysDir = mkdtempSync(join(tmpdir(), "clore-ssh-keys-")));
    process.once("exit", () => rmSync(all, { recursive: true, force: true }));
  }
  const dir = mkdtempSync(join(keysDir, "key-"));
  const privatePath = join(dir, "id_ed25519");
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "clore-test", "-f", privatePath]);
  return {
    dir,
    privatePath,
    privateKey: readFileSync(privatePath, "utf8"),
    publicKey: readFileSync(`${privatePath}.pub`, "utf8").trim(),
  };
}

/** Whether a process is alive: it exists and is not a zombie (a container's pid 1 may never reap orphans). */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** What a TCP client gets from 127.0.0.1:port until the server closes or 300 ms pass. */
export function firstBytes(port: number): Promise<{ data: string; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    let data = "";
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ data, closed: false });
    }, 300);
    socket.on("data", (d) => (data += d.toString("latin1")));
    socket.on("error", () => undefined);
    socket.on("close", () => {
      clearTimeout(timer);
      resolve({ data, closed: true });
    });
  });
}
