import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { join } from "node:path";
import type { Emulator } from "../../provider/emulator";
import { REPO, ensureBuilt } from "../cli/helpers";
import { useEmulator } from "../helpers/emulator";
import { scratchDir } from "../helpers/scratch-dir";

// Two real processes with one key against an emulator at 10 requests/s (the real limits
// scaled down ten times, so the test takes seconds): with the shared file ledger they
// stay under the limit together; each limiting only itself, they do not.
const API_INTERVAL_MS = 100;
// The client keeps 50 ms over the API: arrival jitter in a busy test process, not the ledger, is what that absorbs.
const CLIENT_INTERVAL_MS = 150;
const READS_PER_PROCESS = 12;

const READER = `
const { CloreClient } = require(process.argv[1]);
(async () => {
  const client = new CloreClient({ maxRetries: 6 });
  for (let i = 0; i < Number(process.argv[2]); i++) await client.wallets().catch(() => undefined);
  await client.close();
})();`;

function reader(emu: Emulator, env: Record<string, string>): Promise<void> {
  const child = spawn(
    process.execPath,
    ["-e", READER, join(REPO, "dist", "provider", "sdk", "index.js"), String(READS_PER_PROCESS)],
    {
      env: {
        PATH: process.env.PATH ?? "",
        CLORE_BASE_URL: emu.url,
        CLORE_API_KEY: emu.apiKey,
        CLORE_MIN_INTERVAL_MS: String(CLIENT_INTERVAL_MS),
        ...env,
      },
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  return new Promise((done, fail) =>
    child.on("exit", (code) => (code === 0 ? done() : fail(new Error(`reader exited with ${code}`)))),
  );
}

describe("one key's limits shared by two processes (file ledger)", function () {
  this.timeout(120_000);
  const emu = useEmulator({
    port: 0,
    timeScale: 1,
    generalIntervalMs: API_INTERVAL_MS,
    apiKey: `ledger-${randomBytes(6).toString("hex")}`,
  });
  let dir: string;
  before(async () => {
    await ensureBuilt();
    dir = scratchDir("clore-ledger");
  });
  // Each test counts its own arrivals and 429s.
  beforeEach(() => emu.reset());
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function twoReaders(env: Record<string, string>) {
    await Promise.all([reader(emu, env), reader(emu, env)]);
    const arrivals = emu.requests.map((r) => r.realTime).sort((a, b) => a - b);
    return {
      calls: emu.requests.length,
      rateLimited: emu.requests.filter((r) => r.httpStatus === 429).length,
      smallestGapMs: Math.min(...arrivals.slice(1).map((t, i) => t - arrivals[i]!)),
    };
  }

  it("sends no request the API would refuse, spacing the two processes' requests by the interval", async () => {
    const r = await twoReaders({ CLORE_RATE_LIMIT_DIR: join(dir, "shared"), HOME: dir });
    assert.equal(r.rateLimited, 0, `429s: ${r.rateLimited}`);
    assert.equal(r.calls, 2 * READS_PER_PROCESS);
    assert.ok(r.smallestGapMs >= API_INTERVAL_MS, `two requests arrived ${r.smallestGapMs} ms apart`);
  });

  it("(control) without the shared ledger the same two processes draw 429s", async () => {
    const r = await twoReaders({ CLORE_RATE_LIMIT_SHARED: "0", HOME: dir });
    assert.ok(r.rateLimited > 0, "expected 429s when each process limits only itself");
  });
});
