import { strict as assert } from "node:assert";
import { type ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import { request } from "undici";

const REPO = path.resolve(__dirname, "../..");
const MAIN = path.join(REPO, "provider/emulator/main.ts");

function start(args: string[], env: Record<string, string> = {}): { child: ChildProcess; lines: Promise<string[]> } {
  const child = spawn(process.execPath, ["-r", "ts-node/register", MAIN, ...args], {
    cwd: REPO,
    env: { ...process.env, ...env },
  });
  let out = "";
  const lines = new Promise<string[]>((resolve, reject) => {
    child.stdout!.on("data", (d) => {
      out += d;
      const ls = out.split("\n");
      if (ls.length > 3) resolve(ls.slice(0, 3));
    });
    child.once("exit", (code) => reject(new Error(`emulator exited ${code} before printing its URL: ${out}`)));
  });
  return { child, lines };
}

describe("emulator: the clore-emulator command", function () {
  this.timeout(20_000);

  it("prints its URL, key and an export line, serves the API, and exits 0 on SIGTERM", async () => {
    // Flags and CLORE_EMULATOR_* variables together: flags win, variables fill the rest.
    const { child, lines } = start(["--port", "0", "--time-scale", "0.01"], {
      CLORE_EMULATOR_API_KEY: "cli-test-key",
      CLORE_EMULATOR_OPTIONS: '{"bootDelayMs":1234}',
      CLORE_EMULATOR_TIME_SCALE: "5",
    });
    try {
      const [listening, key, exportLine] = await lines;
      const url = /^Clore emulator listening on (http:\/\/127\.0\.0\.1:\d+\/v1)$/.exec(listening)?.[1];
      assert.ok(url, listening);
      assert.equal(key, "API key: cli-test-key");
      assert.equal(exportLine, `export CLORE_BASE_URL=${url} CLORE_API_KEY=cli-test-key`);
      const res = await request(`${url}/wallets`, { headers: { auth: "cli-test-key" } });
      assert.equal(res.statusCode, 200);
      assert.equal(((await res.body.json()) as any).code, 0);
      const options = (await (await request(url.replace(/\/v1$/, "/_emulator/options"))).body.json()) as any;
      assert.deepEqual([options.options.timeScale, options.options.bootDelayMs], [0.01, 1234]);
    } finally {
      const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
      child.kill("SIGTERM");
      assert.equal(await exited, 0);
    }
  });
});
