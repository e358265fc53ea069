import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as net from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { hostKeyFingerprint } from "../../provider/ssh";
import { opensshKeyPair } from "./ssh-orders";

/** Debian's openssh-server (scripts/system-packages.sh installs it). */
export const SSHD = "/usr/sbin/sshd";

/**
 * A real OpenSSH sshd on 127.0.0.1 for one test suite: its own host key, config and
 * authorized key (no password login), HOME set to a scratch `home` for sessions (SetEnv), so
 * detached jobs write under it. Stopped by its PID; its directory removed.
 */
export interface RealSshd {
  port: number;
  user: string;
  /** HOME of its sessions (a scratch directory). */
  home: string;
  /** The client key it accepts (OpenSSH private key text). */
  privateKey: string;
  /** Its host key fingerprint, `SHA256:…`. */
  hostKey: string;
  stop(): Promise<void>;
}

export function sshdAvailable(): boolean {
  return existsSync(SSHD);
}

export async function startSshd(): Promise<RealSshd> {
  const dir = mkdtempSync(join(tmpdir(), "clore-sshd-"));
  const home = join(dir, "home");
  mkdirSync(home, { mode: 0o700 });
  const hostKeyPath = join(dir, "host_ed25519");
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", hostKeyPath]);
  const client = opensshKeyPair();
  writeFileSync(join(dir, "authorized_keys"), `${client.publicKey}\n`, { mode: 0o600 });
  const port = await freePort();
  const root = process.getuid?.() === 0;
  if (root) mkdirSync("/run/sshd", { recursive: true, mode: 0o755 }); // privilege separation's chroot
  const config = [
    `Port ${port}`,
    "ListenAddress 127.0.0.1",
    `HostKey ${hostKeyPath}`,
    `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
    `PidFile ${join(dir, "sshd.pid")}`,
    "PasswordAuthentication no",
    "KbdInteractiveAuthentication no",
    "PubkeyAuthentication yes",
    "PermitRootLogin prohibit-password",
    "StrictModes no",
    "UsePAM no",
    `SetEnv HOME=${home}`,
    "Subsystem sftp internal-sftp",
    "LogLevel ERROR",
  ].join("\n");
  const configPath = join(dir, "sshd_config");
  writeFileSync(configPath, `${config}\n`);
  const child: ChildProcess = spawn(SSHD, ["-D", "-e", "-f", configPath], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d));
  await waitForBanner(port, () => (child.exitCode !== null ? `sshd exited ${child.exitCode}: ${stderr}` : undefined));
  const pub = readFileSync(`${hostKeyPath}.pub`, "utf8").split(" ")[1]!;
  return {
    port,
    user: userInfo().username,
    home,
    privateKey: client.privateKey,
    hostKey: hostKeyFingerprint(Buffer.from(pub, "base64")),
    stop: async () => {
      if (child.exitCode === null && child.pid !== undefined) {
        const exited = new Promise((r) => child.once("exit", r));
        process.kill(child.pid, "SIGTERM");
        await exited;
      }
      // Detached jobs outlive sshd, as on a real server: end what is left under HOME.
      try {
        execFileSync("sh", [
          "-c",
          `for p in "${home}"/.clore/jobs/*/pgid; do [ -f "$p" ] && kill -9 -- -"$(cat "$p")" 2>/dev/null; done; true`,
        ]);
      } catch {
        // nothing left
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function waitForBanner(port: number, failed: () => string | undefined): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const why = failed();
    if (why) throw new Error(why);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, "127.0.0.1");
      s.once("data", (d) => {
        s.destroy();
        resolve(d.toString("latin1").startsWith("SSH-2.0-"));
      });
      s.once("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`sshd on port ${port} did not answer in 10 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
