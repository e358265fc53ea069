import type { ClientChannel } from "ssh2";
import { SshCommandFailedError, SshCommandTimeoutError } from "../sdk";
import { LineSplitter, LineTail } from "./line-splitter";
import { PidMarker, killScript, remoteScript } from "./remote-script";
import type { RunOptions, RunResult, SessionLink } from "./session";

export function runRemote(link: SessionLink, command: string, o: RunOptions): Promise<RunResult> {
  const script = remoteScript(command, o);
  const startedAt = performance.now();
  const marker = new PidMarker();
  const tail = new LineTail(o.tailLines ?? 20);
  const out = new LineSplitter((l) => o.onStdout?.(l));
  const err = new LineSplitter((l) => {
    tail.add(l);
    o.onStderr?.(l);
  });
  const stderrBytes = (b: Buffer) => {
    if (!b.length) return;
    o.stderr?.write(b);
    err.push(b);
  };
  return new Promise<RunResult>((resolve, reject) => {
    // Wired inside the exec callback: the exit status can arrive in the same read as the
    // channel's confirmation, before any later tick would add listeners.
    const wire = (channel: ClientChannel) => {
      let exit: { exitCode: number | null; signal?: string } | undefined;
      let timedOut = false;
      const timer =
        o.timeoutMs !== undefined
          ? setTimeout(() => {
              timedOut = true;
              void killRemote(link, channel, marker, o.killGraceMs ?? 2000);
            }, o.timeoutMs)
          : undefined;
      channel.on(
        "exit",
        (code: number | null, signal?: string) =>
          (exit = code === null ? { exitCode: null, signal } : { exitCode: code }),
      );
      channel.on("data", (d: Buffer) => {
        o.stdout?.write(d);
        out.push(d);
      });
      channel.stderr.on("data", (d: Buffer) => stderrBytes(marker.strip(d)));
      channel.on("close", () => {
        clearTimeout(timer);
        if (o.stdin) o.stdin.unpipe(channel);
        stderrBytes(marker.flush());
        out.end();
        err.end();
        const durationMs = performance.now() - startedAt;
        if (timedOut) return reject(new SshCommandTimeoutError(link.endpoint, command, o.timeoutMs!, tail.get()));
        // No exit status: the connection (or the server) went away under the command.
        if (!exit) return reject(link.lost(command, startedAt));
        link.history.push({ command, ...exit, durationMs });
        if (o.check && exit.exitCode !== 0)
          return reject(new SshCommandFailedError(link.endpoint, command, exit.exitCode, exit.signal, tail.get()));
        resolve({ ...exit, durationMs, stderrTail: tail.get() });
      });
      if (o.stdin) o.stdin.pipe(channel);
      else channel.end();
    };
    openExec(link, script, command, startedAt, wire).catch(reject);
  });
}

function openExec(
  link: SessionLink,
  script: string,
  command: string,
  startedAt: number,
  wire: (channel: ClientChannel) => void,
): Promise<ClientChannel> {
  if (!link.connected) return Promise.reject(link.lost(command, startedAt));
  return new Promise((resolve, reject) => {
    link.client.exec(script, (e, channel) => {
      if (e) return reject(link.connected ? e : link.lost(command, startedAt, e));
      wire(channel);
      resolve(channel);
    });
  });
}

/** SIGTERM to the command's process group, SIGKILL after the grace period if it is still there. */
async function killRemote(
  link: SessionLink,
  channel: ClientChannel,
  marker: PidMarker,
  graceMs: number,
): Promise<void> {
  const closed = new Promise<void>((r) => channel.once("close", () => r()));
  if (marker.pid === undefined) {
    // The shell never reported its pid: all we can do is ask sshd to signal it and hang up.
    channel.signal("KILL");
    channel.close();
    return;
  }
  const signal = async (sig: "TERM" | "KILL") => {
    await openExec(link, killScript(marker.pid!, sig), "kill", performance.now(), (killer) => {
      killer.resume();
      killer.end();
    }).catch(() => undefined);
  };
  await signal("TERM");
  const stillRunning = await Promise.race([
    closed.then(() => false),
    new Promise<boolean>((r) => setTimeout(() => r(true), graceMs).unref()),
  ]);
  if (stillRunning) {
    await signal("KILL");
    channel.close();
  }
}
