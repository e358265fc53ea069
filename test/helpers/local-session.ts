import { spawn } from "node:child_process";
import type { RunOptions, RunResult, SshSession } from "../../provider/ssh";
import { LineSplitter } from "../../provider/ssh";

/**
 * An SshSession whose commands run in /bin/sh on this machine with HOME = `home`: the shell
 * scripts of detached jobs, tried without an sshd. Only `run` (stdout/stderr, lines, check).
 */
export function localSession(home: string): SshSession {
  const history: SshSession["history"][number][] = [];
  const run = (command: string, o: RunOptions = {}): Promise<RunResult> =>
    new Promise((resolve, reject) => {
      const started = performance.now();
      const child = spawn("/bin/sh", ["-c", command], {
        env: { PATH: process.env.PATH, HOME: home, SHELL: "/bin/sh" },
        cwd: home,
        stdio: ["ignore", "pipe", "pipe"],
      });
      const out = new LineSplitter((l) => o.onStdout?.(l));
      const tail: string[] = [];
      const err = new LineSplitter((l) => {
        tail.push(l);
        o.onStderr?.(l);
      });
      child.stdout.on("data", (b: Buffer) => {
        o.stdout?.write(b);
        out.push(b);
      });
      child.stderr.on("data", (b: Buffer) => {
        o.stderr?.write(b);
        err.push(b);
      });
      child.on("close", (code, signal) => {
        out.end();
        err.end();
        const durationMs = performance.now() - started;
        history.push({ command, exitCode: code, signal: signal ?? undefined, durationMs });
        if (o.check && code !== 0)
          return reject(new Error(`${command.slice(0, 80)} exited ${code}: ${tail.join("\n")}`));
        resolve({ exitCode: code, signal: signal ?? undefined, durationMs, stderrTail: tail.slice(-20) });
      });
    });
  return {
    endpoint: { host: "localhost", port: 0, user: "me" },
    hostKey: "SHA256:local",
    history,
    connected: true,
    run,
    upload: () => Promise.reject(new Error("not in a local session")),
    download: () => Promise.reject(new Error("not in a local session")),
    shell: () => Promise.reject(new Error("not in a local session")),
    close: async () => undefined,
    [Symbol.asyncDispose]: async () => undefined,
  };
}
