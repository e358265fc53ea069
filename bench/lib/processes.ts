import { spawn } from "node:child_process";
import { RssSampler, type ProcessPeak } from "./rss";

export interface Timed {
  code: number;
  stdout: string;
  stderr: string;
  wallMs: number;
  /** Descendant processes' peak RSS, when sampled. */
  peaks?: ProcessPeak[];
}

/** Run a command to completion, timing it from spawn to exit; optionally sample descendants' RSS. */
export function runTimed(
  cmd: string,
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; sampleRss?: boolean; timeoutMs?: number },
): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ["ignore", "pipe", "pipe"] });
    const sampler = opts.sampleRss && child.pid ? new RssSampler(child.pid) : undefined;
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 900_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr, wallMs: performance.now() - start, peaks: sampler?.stop() });
    });
  });
}

/** Like runTimed, but a non-zero exit is an error carrying the output. */
export async function runOk(cmd: string, args: string[], opts: Parameters<typeof runTimed>[2]): Promise<Timed> {
  const r = await runTimed(cmd, args, opts);
  if (r.code !== 0)
    throw new Error(
      `${cmd} ${args.join(" ")} exited ${r.code}\n--- stdout\n${r.stdout.slice(-4000)}\n--- stderr\n${r.stderr.slice(-4000)}`,
    );
  return r;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
