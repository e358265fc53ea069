import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { REPO } from "../../test/pulumi/harness";

/**
 * The emulator in a process of its own (dist/provider/emulator/main.js), so the SSH server's
 * crypto and the measured client do not share one event loop.
 */
export interface EmulatorProcess {
  url: string;
  origin: string;
  apiKey: string;
  /** POST/GET an API endpoint or a /_emulator control route; resolves with the parsed JSON. */
  call(path: string, body?: unknown): Promise<any>;
  close(): Promise<void>;
}

export async function startEmulatorProcess(options: Record<string, unknown>): Promise<EmulatorProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    [join(REPO, "dist/provider/emulator/main.js"), "--port", "0", "--options", JSON.stringify(options)],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const first = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      if (out.split("\n").length > 2) resolve(out);
    });
    child.once("exit", (code) => reject(new Error(`clore-emulator exited ${code}`)));
  });
  const url = /listening on (\S+)/.exec(first)![1]!;
  const apiKey = /API key: (\S+)/.exec(first)![1]!;
  const origin = url.replace(/\/v1$/, "");
  return {
    url,
    origin,
    apiKey,
    async call(path, body) {
      const full = path.startsWith("/_emulator") ? origin + path : `${url}/${path}`;
      const res = await fetch(full, {
        method: body === undefined ? "GET" : "POST",
        headers: { auth: apiKey, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return res.json();
    },
    close: () =>
      new Promise((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
