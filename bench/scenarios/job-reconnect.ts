import { JobConnection, runSteps } from "pulumi-clore/job";
import { type SshSession, TrustOnFirstUse, connectSsh } from "pulumi-clore/ssh";
import { log } from "../lib/context";
import { type EmulatorProcess, startEmulatorProcess } from "../lib/emulator-process";
import { renderMarkdown } from "../lib/table";

/**
 * Issue 21 benchmark: from a cut to the resumed stream. A job prints a numbered line every
 * 50 ms; mid-job its SSH connection is cut cleanly (ssh-cut) or frozen (ssh-freeze, a silent
 * partition). Ours: runSteps with detached jobs and reconnects (as runJob runs them). Baseline:
 * the plain `ssh.run` the runner used before (ssh2's default keepalive, 10 s × 3). Measured:
 * the fault → the outage noticed → the first line of the resumed stream, and lines lost or
 * duplicated against the job's own count.
 */
const PASSWORD = "bench-reconnect-pw";
const LINES = 160; // 8 s at 50 ms
const CUT_AT_LINE = 40;
const FREEZE_MS = 45_000;
const COMMAND = `i=1; while [ $i -le ${LINES} ]; do echo "line $i"; i=$((i + 1)); sleep 0.05; done`;

interface Outcome {
  noticedMs?: number;
  resumedMs?: number;
  lost: number;
  duplicated: number;
  finished: boolean;
}

export async function reconnectScenarios(): Promise<{ table: string; notes: string[] }> {
  const emu = await startEmulatorProcess({ timeScale: 1, bootDelayMs: 0, rateLimit: false });
  try {
    const results: Record<string, { ours: Outcome; base: Outcome }> = {};
    for (const fault of ["cut", "freeze"] as const) {
      const ours = await measure(emu, fault, "ours");
      const base = await measure(emu, fault, "baseline");
      results[fault] = { ours, base };
      log(`reconnect ${fault}: ours ${JSON.stringify(ours)}; baseline ${JSON.stringify(base)}`);
    }
    const cell = (o: Outcome) =>
      o.resumedMs !== undefined
        ? `noticed ${s(o.noticedMs)}, resumed ${s(o.resumedMs)}`
        : o.noticedMs !== undefined
          ? `failed after ${s(o.noticedMs)}, never resumed`
          : "no outage noticed";
    const lines = (o: Outcome) => `${o.lost} / ${o.duplicated}${o.finished ? "" : " (job not finished)"}`;
    const met = (o: Outcome, detectMs: number) =>
      o.resumedMs !== undefined &&
      o.noticedMs! <= detectMs &&
      o.resumedMs - o.noticedMs! <= 1000 &&
      !o.lost &&
      !o.duplicated;
    const table = renderMarkdown(
      [
        "Scenario",
        "Ours: fault → noticed → resumed",
        "Ours: lines lost / dup",
        "Baseline (plain ssh.run)",
        "Baseline: lines lost / dup",
        "Target",
        "Met",
      ],
      [
        [
          "Clean cut mid-job",
          cell(results.cut!.ours),
          lines(results.cut!.ours),
          cell(results.cut!.base),
          lines(results.cut!.base),
          "resumed ≤ noticed + 1 s; 0 / 0",
          met(results.cut!.ours, 1000) ? "yes" : "**no**",
        ],
        [
          `Silent partition (${FREEZE_MS / 1000} s) mid-job`,
          cell(results.freeze!.ours),
          lines(results.freeze!.ours),
          cell(results.freeze!.base),
          lines(results.freeze!.base),
          "noticed ≤ 15 s; resumed ≤ noticed + 1 s; 0 / 0",
          met(results.freeze!.ours, 15_000) ? "yes" : "**no**",
        ],
      ],
    );
    const notes = [
      `Reconnect rows: the emulator in its own process (timeScale 1); the job prints ${LINES} numbered lines, one per 50 ms; the fault comes at line ${CUT_AT_LINE}. "Noticed" = the fault → the runner knows the connection is gone (ours: the reconnect starts, the idle timeout of 8 s without heartbeat for a silent link; baseline: ssh.run rejects). "Resumed" = the fault → the first line after the outage reaches the log. Lost / dup = numbers the job printed that the log lacks / shows twice (the baseline's lost lines are those it never showed).`,
    ];
    return { table, notes };
  } finally {
    await emu.close();
  }
}

async function measure(emu: EmulatorProcess, fault: "cut" | "freeze", who: "ours" | "baseline"): Promise<Outcome> {
  const order = await rent(emu);
  const target = { host: "127.0.0.1", port: order.port, password: PASSWORD };
  const hostKeys = new TrustOnFirstUse();
  const seen: number[] = [];
  let faultAt = 0;
  let noticedAt: number | undefined;
  let resumedAt: number | undefined;
  const onLine = (line: string) => {
    const n = Number(/^line (\d+)$/.exec(line)?.[1]);
    if (!n) return;
    if (faultAt && resumedAt === undefined && noticedAt !== undefined) resumedAt = performance.now();
    seen.push(n);
    if (n === CUT_AT_LINE && !faultAt) {
      faultAt = performance.now();
      void emu.call(`/_emulator/orders/${order.id}/ssh-${fault}`, fault === "freeze" ? { ms: FREEZE_MS } : {});
    }
  };
  let finished = false;
  if (who === "ours") {
    const connect = (waitMs: number) =>
      connectSsh(target, {
        waitMs,
        hostKeys,
        keepaliveIntervalMs: 5000,
        keepaliveCountMax: 2,
        handshakeTimeoutMs: 10_000,
      });
    const conn = new JobConnection(await connect(10_000), {
      connect,
      log: () => undefined,
      onLost: () => (noticedAt ??= performance.now()),
    });
    await runSteps(conn, { commands: [COMMAND] }, (line, source) => {
      if (source === "stdout") onLine(line);
    });
    finished = true;
    await conn.session.close();
  } else {
    const ssh: SshSession = await connectSsh(target, { waitMs: 10_000, hostKeys });
    try {
      await ssh.run(COMMAND, { onStdout: onLine });
      finished = true;
    } catch {
      noticedAt = performance.now();
    }
    await ssh.close();
  }
  await emu.call("cancel_order", { id: order.id });
  const counts = new Map<number, number>();
  for (const n of seen) counts.set(n, (counts.get(n) ?? 0) + 1);
  let lost = 0;
  let duplicated = 0;
  for (let n = 1; n <= LINES; n++) {
    const c = counts.get(n) ?? 0;
    if (c === 0) lost++;
    if (c > 1) duplicated += c - 1;
  }
  return {
    noticedMs: noticedAt !== undefined ? noticedAt - faultAt : undefined,
    resumedMs: resumedAt !== undefined ? resumedAt - faultAt : undefined,
    lost,
    duplicated,
    finished,
  };
}

const s = (ms?: number) => (ms === undefined ? "—" : `${(ms / 1000).toFixed(2)} s`);

async function rent(emu: EmulatorProcess): Promise<{ id: number; port: number }> {
  const before = new Set(((await emu.call("/_emulator/orders")).orders as { id: number }[]).map((o) => o.id));
  const active = (await emu.call("/_emulator/orders?active=true")).orders as { serverId: number }[];
  const serverId = [60101, 60103, 52211, 38811].find((id) => !active.some((o) => o.serverId === id))!;
  const r = await emu.call("create_order", {
    type: "on-demand",
    currency: "USD-Blockchain",
    image: "bench",
    renting_server: serverId,
    ports: { "22": "tcp" },
    ssh_password: PASSWORD,
  });
  if (r.code !== 0) throw new Error(`create_order: ${JSON.stringify(r)}`);
  for (;;) {
    const o = (
      (await emu.call("/_emulator/orders?active=true")).orders as {
        id: number;
        online: boolean;
        tcpPorts: { public: number }[];
      }[]
    ).find((x) => !before.has(x.id));
    if (o?.online) return { id: o.id, port: o.tcpPorts[0]!.public };
    await new Promise((res) => setTimeout(res, 20));
  }
}
