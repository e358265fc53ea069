import { createHash } from "node:crypto";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { createReadStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import * as net from "node:net";
import { join } from "node:path";
import { connectSsh } from "pulumi-clore/ssh";
import { OPENSSH_OPTIONS } from "../../test/helpers/openssh";
import { log, tmp } from "../lib/context";
import { type EmulatorProcess, startEmulatorProcess } from "../lib/emulator-process";
import { renderMarkdown } from "../lib/table";

/**
 * Issue 14 benchmark: how fast a job gets going on a fresh server (port answering → first
 * command's output) and SFTP throughput of pulumi-clore/ssh for 100 MB each way, beside
 * OpenSSH's ssh/scp against the same emulator sshd and a raw TCP copy of the same file.
 */
export const PASSWORD = "bench-ssh-pw";
const STARTS = 5;
const ROUNDS = 3;
const SIZE = 100 * 1024 * 1024;

export async function sshScenarios(): Promise<{ table: string; notes: string[] }> {
  const dir = mkdtempSync(join(tmp, "ssh-"));
  const key = join(dir, "id_ed25519");
  const haveOpenSsh = tryRun("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key]) && tryRun("ssh", ["-V"]);
  const emu = await startEmulatorProcess({ timeScale: 1, bootDelayMs: 0, rateLimit: false });
  try {
    const order = async () => rent(emu, haveOpenSsh ? readFileSync(`${key}.pub`, "utf8").trim() : undefined);

    // 1. Port answering → first command's output, a fresh order each time.
    const ours: number[] = [];
    const theirs: number[] = [];
    for (let i = 0; i < STARTS; i++) {
      const o = await order();
      const t0 = await portAnswers(o.port);
      const ssh = await connectSsh({ host: "127.0.0.1", port: o.port, password: PASSWORD }, { waitMs: 10_000 });
      let firstAt = 0;
      await ssh.run("echo started", { onStdout: () => (firstAt ||= performance.now() - t0) });
      ours.push(firstAt);
      await ssh.close();
      if (haveOpenSsh)
        theirs.push(
          await firstLine(
            "ssh",
            [...OPENSSH_OPTIONS, "-i", key, "-p", String(o.port), "root@127.0.0.1", "echo started"],
            t0,
          ),
        );
      await emu.call("cancel_order", { id: o.id });
    }
    log(`first command: ours ${ours.map(ms).join(", ")}; ssh ${theirs.map(ms).join(", ")}`);

    // 2. 100 MB up and down: ours, scp and a raw TCP copy, interleaved, each checked byte for byte.
    const o = await order();
    const src = join(dir, "payload.bin");
    writeFileSync(src, randomish(SIZE));
    const want = sha256(src);
    const t = {
      ours: { up: [] as number[], down: [] as number[] },
      scp: { up: [] as number[], down: [] as number[] },
      tcp: { up: [] as number[], down: [] as number[] },
    };
    const ssh = await connectSsh({ host: "127.0.0.1", port: o.port, password: PASSWORD }, { waitMs: 10_000 });
    for (let r = 0; r < ROUNDS; r++) {
      t.ours.up.push(await timed(() => ssh.upload(src, "ours.bin")));
      check(join(o.sandbox, "ours.bin"), want);
      t.ours.down.push(await timed(() => ssh.download("ours.bin", join(dir, "ours-back.bin"))));
      check(join(dir, "ours-back.bin"), want);
      if (haveOpenSsh) {
        const scp = (from: string, to: string) =>
          runOk("scp", [...OPENSSH_OPTIONS, "-i", key, "-P", String(o.port), from, to]);
        t.scp.up.push(await timed(() => scp(src, "root@127.0.0.1:scp.bin")));
        check(join(o.sandbox, "scp.bin"), want);
        t.scp.down.push(await timed(() => scp("root@127.0.0.1:scp.bin", join(dir, "scp-back.bin"))));
        check(join(dir, "scp-back.bin"), want);
      }
      t.tcp.up.push(await timed(() => tcpCopy(src, join(dir, "tcp.bin"))));
      check(join(dir, "tcp.bin"), want);
      t.tcp.down.push(await timed(() => tcpCopy(join(dir, "tcp.bin"), join(dir, "tcp-back.bin"))));
      check(join(dir, "tcp-back.bin"), want);
      log(
        `100 MB round ${r + 1}: ours ${ms(t.ours.up[r]!)}/${ms(t.ours.down[r]!)}, scp ${haveOpenSsh ? `${ms(t.scp.up[r]!)}/${ms(t.scp.down[r]!)}` : "n/a"}, tcp ${ms(t.tcp.up[r]!)}/${ms(t.tcp.down[r]!)}`,
      );
    }
    await ssh.close();

    const na = "n/a (no OpenSSH)";
    const rate = (xs: number[]) => `${ms(median(xs))} (${(SIZE / 1e6 / (median(xs) / 1000)).toFixed(0)} MB/s)`;
    const both = (x: { up: number[]; down: number[] }) => x.up.map((u, i) => u + x.down[i]!);
    const startMedian = median(ours);
    const table = renderMarkdown(
      ["Scenario", "pulumi-clore/ssh (ssh2)", "OpenSSH client (ssh / scp)", "Raw TCP copy", "Target", "Met"],
      [
        [
          "Port answering → first command's output (median of 5)",
          ms(startMedian),
          haveOpenSsh ? ms(median(theirs)) : na,
          "—",
          "≤ 1 s",
          startMedian <= 1000 ? "yes" : "**no**",
        ],
        [
          "Upload 100 MB (median of 3)",
          rate(t.ours.up),
          haveOpenSsh ? rate(t.scp.up) : na,
          rate(t.tcp.up),
          "beside scp",
          "—",
        ],
        [
          "Download 100 MB (median of 3)",
          rate(t.ours.down),
          haveOpenSsh ? rate(t.scp.down) : na,
          rate(t.tcp.down),
          "beside scp",
          "—",
        ],
        [
          "Upload + download 100 MB (median of 3)",
          ms(median(both(t.ours))),
          haveOpenSsh ? ms(median(both(t.scp))) : na,
          ms(median(both(t.tcp))),
          "beside scp",
          "—",
        ],
      ],
    );
    const notes = [
      `SSH rows: the emulator (dist/provider/emulator/main.js, timeScale 1, boot 0) runs in its own process; its sshd is ssh2's server side in JS, so every SSH column has the same server and differs only by client. All runs: ours ${ours.map(ms).join(", ")}; ssh ${theirs.map(ms).join(", ") || "n/a"} (first command).`,
      `First command: t0 = the first TCP connect to the new order's port that succeeds; ours = connectSsh (password login) + run("echo started") in this process until its first stdout line; OpenSSH = spawning \`ssh -i key … 'echo started'\` until its first stdout line (process start included).`,
      `100 MB: one random-content file, uploaded then downloaded, interleaved ours → scp → raw TCP, ${ROUNDS} rounds; every copy checked by SHA-256. Ours = SshSession.upload/download (SFTP, 64 × 32 KiB requests in flight); scp = ${openSshVersion()} in its default SFTP mode, key login, process start included; raw TCP = a node child process piping the file over a loopback socket (no SSH, no crypto): the floor. All values (ms, up/down): ours ${pairs(t.ours)}; scp ${haveOpenSsh ? pairs(t.scp) : "n/a"}; tcp ${pairs(t.tcp)}.`,
    ];
    return { table, notes };
  } finally {
    await emu.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function rent(
  emu: EmulatorProcess,
  sshKey: string | undefined,
): Promise<{ id: number; port: number; sandbox: string }> {
  const before = new Set(((await emu.call("/_emulator/orders")).orders as { id: number }[]).map((o) => o.id));
  const free = (await emu.call("/_emulator/orders?active=true")).orders as { serverId: number }[];
  const serverId = [60101, 60103, 52211, 38811].find((s) => !free.some((o) => o.serverId === s))!;
  const r = await emu.call("create_order", {
    type: "on-demand",
    currency: "USD-Blockchain",
    image: "bench",
    renting_server: serverId,
    ports: { "22": "tcp" },
    ssh_password: PASSWORD,
    ...(sshKey ? { ssh_key: sshKey } : {}),
  });
  if (r.code !== 0) throw new Error(`create_order: ${JSON.stringify(r)}`);
  for (;;) {
    const o = (
      (await emu.call("/_emulator/orders?active=true")).orders as {
        id: number;
        online: boolean;
        tcpPorts: { public: number }[];
        sandboxDir: string;
      }[]
    ).find((x) => !before.has(x.id));
    if (o?.online) return { id: o.id, port: o.tcpPorts[0]!.public, sandbox: o.sandboxDir };
    await new Promise((res) => setTimeout(res, 20));
  }
}

/** Poll until a TCP connect succeeds; the time it did. */
async function portAnswers(port: number): Promise<number> {
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, "127.0.0.1", () => {
        s.destroy();
        resolve(true);
      });
      s.on("error", () => resolve(false));
    });
    if (ok) return performance.now();
    await new Promise((r) => setTimeout(r, 10));
  }
}

function firstLine(cmd: string, args: string[], t0: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "inherit"] });
    let at: number | undefined;
    child.stdout.on("data", () => (at ??= performance.now() - t0));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 && at !== undefined ? resolve(at) : reject(new Error(`${cmd} exited ${code}`)),
    );
  });
}

/** A copy through a loopback socket to a receiver in another process. */
function tcpCopy(from: string, to: string): Promise<void> {
  const receiver = spawn(process.execPath, ["-e", RECEIVER, to], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    receiver.stdout.once("data", (d: Buffer) => {
      const socket = net.connect(Number(String(d).trim()), "127.0.0.1");
      createReadStream(from).pipe(socket);
    });
    receiver.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`receiver exited ${code}`))));
  });
}
const RECEIVER = `const net=require("net"),fs=require("fs");const s=net.createServer(c=>{const w=fs.createWriteStream(process.argv[1]);c.pipe(w);w.on("finish",()=>{s.close();})}).listen(0,"127.0.0.1",()=>console.log(s.address().port));`;

function runOk(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "inherit", "inherit"] });
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} exited ${code}`))));
  });
}

function tryRun(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** `ssh -V` prints its version on stderr. */
function openSshVersion(): string {
  return (spawnSync("ssh", ["-V"], { encoding: "utf8" }).stderr ?? "").trim().split(",")[0] || "(version unknown)";
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

function check(path: string, want: string): void {
  if (statSync(path).size !== SIZE || sha256(path) !== want) throw new Error(`${path} is not a byte-identical copy`);
}

function sha256(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

/** Incompressible-looking bytes without paying for crypto-random 100 MB. */
export function randomish(size: number): Buffer {
  const out = Buffer.allocUnsafe(size);
  let seed = createHash("sha512").update("bench").digest();
  for (let i = 0; i < size; i += seed.length) {
    seed = createHash("sha512").update(seed).digest();
    seed.copy(out, i);
  }
  return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${Math.round(x)} ms`);
const pairs = (x: { up: number[]; down: number[] }) =>
  x.up.map((u, i) => `${Math.round(u)}/${Math.round(x.down[i]!)}`).join(", ");
