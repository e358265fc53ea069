import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type Emulator, startEmulator } from "../../provider/emulator";
import { CloreClient } from "../../provider/sdk";
import { REPO, ensureBuilt } from "../cli/helpers";
import { type TestRedis, hasRedisServer, slotRecord, startRedis } from "../helpers/redis";
import { scratchDir } from "../helpers/scratch-dir";
import { startTcpProxy } from "../helpers/tcp-proxy";

// Runner processes on "separate machines" (each its own rate-limit ledger dir, as separate
// hosts have) sharing one key, against the emulator at the real limits scaled down ten
// times (100 ms between requests), with a real redis-server as the shared store.
const API_INTERVAL_MS = 100;
const CLIENT_INTERVAL_MS = 150;

const RUNNER = `
const { CloreClient } = require(process.argv[1]);
(async () => {
  const client = new CloreClient({ maxRetries: 6 });
  let failed = 0;
  for (let i = 0; i < Number(process.argv[2]); i++) await client.wallets().catch(() => failed++);
  await client.close();
  console.log(JSON.stringify({ failed }));
})();`;

interface RunnerResult {
  failed: number;
  stderr: string;
}

function runner(emu: Emulator, reads: number, env: Record<string, string>): Promise<RunnerResult> {
  const child = spawn(
    process.execPath,
    ["-e", RUNNER, join(REPO, "dist", "provider", "sdk", "index.js"), String(reads)],
    {
      env: {
        PATH: process.env.PATH ?? "",
        CLORE_BASE_URL: emu.url,
        CLORE_API_KEY: emu.apiKey,
        CLORE_MIN_INTERVAL_MS: String(CLIENT_INTERVAL_MS),
        CLORE_BACKOFF_MS: "100",
        CLORE_RATE_LIMIT_DIR: scratchDir("ledger"),
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  return new Promise((done, fail) =>
    child.on("exit", (code) =>
      code === 0
        ? done({ failed: JSON.parse(stdout.trim().split("\n").pop()!).failed, stderr })
        : fail(new Error(`runner exited with ${code}: ${stderr}`)),
    ),
  );
}

function arrivals(emu: Emulator) {
  const times = emu.requests.map((r) => r.realTime).sort((a, b) => a - b);
  return {
    calls: emu.requests.length,
    rateLimited: emu.requests.filter((r) => r.httpStatus === 429).length,
    smallestGapMs: Math.min(...times.slice(1).map((t, i) => t - times[i]!)),
  };
}

const FALLBACK = /Redis at \S+ is unreachable/g;
const BACK = /Redis at \S+ answers again/g;

/** An emulator per test (a fresh key, so no test sees another's record) at the scaled-down limits. */
function emulatorPerTest(): () => Emulator {
  let emu: Emulator | undefined;
  beforeEach(async () => {
    emu = await startEmulator({
      port: 0,
      timeScale: 1,
      generalIntervalMs: API_INTERVAL_MS,
      apiKey: `redis-${randomBytes(6).toString("hex")}`,
    });
  });
  afterEach(() => emu?.close());
  return () => emu!;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

(hasRedisServer() ? describe : describe.skip)("one key's limits shared by several machines through Redis", function () {
  this.timeout(120_000);
  let emu: Emulator;
  let redis: TestRedis;
  const current = emulatorPerTest();
  before(async () => {
    await ensureBuilt();
    redis = await startRedis({ password: `pw-${randomBytes(4).toString("hex")}` });
  });
  beforeEach(() => {
    emu = current();
  });
  after(() => redis.stop());

  it("3 runners with separate ledgers: no request the API would refuse, every arrival spaced by the interval", async () => {
    const results = await Promise.all([0, 1, 2].map(() => runner(emu, 10, { CLORE_RATE_LIMIT_STORE: redis.url })));
    const r = arrivals(emu);
    assert.deepEqual(
      results.map((x) => x.failed),
      [0, 0, 0],
    );
    assert.equal(r.rateLimited, 0, `429s: ${r.rateLimited}`);
    assert.equal(r.calls, 30);
    assert.ok(r.smallestGapMs >= API_INTERVAL_MS, `two requests arrived ${r.smallestGapMs} ms apart`);
    for (const x of results) assert.doesNotMatch(x.stderr, FALLBACK);
  });

  it("(control) the same 3 runners without a shared store draw 429s, and still none of their calls fails", async () => {
    const results = await Promise.all([0, 1, 2].map(() => runner(emu, 10, {})));
    assert.ok(arrivals(emu).rateLimited > 0, "expected 429s when each machine limits only itself");
    assert.deepEqual(
      results.map((x) => x.failed),
      [0, 0, 0],
      "a 429 storm failed calls",
    );
  });

  it("Redis killed mid-run and restarted: nothing fails, one notice each way, the key's record is back in Redis", async () => {
    const run = runner(emu, 40, { CLORE_RATE_LIMIT_STORE: redis.url });
    while (emu.requests.length < 5) await new Promise((r) => setTimeout(r, 20));
    await redis.kill();
    const killedAt = emu.requests.length;
    await new Promise((r) => setTimeout(r, 1500));
    await redis.restart();
    const result = await run;
    assert.equal(result.failed, 0);
    assert.equal(result.stderr.match(FALLBACK)?.length, 1, result.stderr);
    assert.equal(result.stderr.match(BACK)?.length, 1, result.stderr);
    assert.ok(emu.requests.length > killedAt, "reads went on while Redis was down");
    assert.equal(arrivals(emu).rateLimited, 0);
    assert.ok(await slotRecord(redis.url, emu.apiKey), "the record was written to Redis again");
  });

  it("a wrong password fails the first call naming the setting, and sends nothing to the API", async () => {
    const client = new CloreClient({
      apiKey: `${emu.apiKey}-wrongpw`,
      baseUrl: emu.url,
      env: { CLORE_RATE_LIMIT_STORE: redis.url.replace(redis.password!, "not-it") },
    });
    await assert.rejects(client.wallets(), (e: Error & { code?: string }) => {
      assert.equal(e.code, "CLORE_VALIDATION_FAILED");
      assert.match(e.message, /CLORE_RATE_LIMIT_STORE: cannot use Redis at redis:\/\/:\*\*\*@127\.0\.0\.1/);
      assert.match(e.message, /WRONGPASS/);
      assert.doesNotMatch(e.message, /not-it/);
      return true;
    });
    await client.close();
    assert.equal(emu.requests.length, 0);
  });

  it("a mistyped URL fails at once naming the setting", () => {
    assert.throws(
      () =>
        new CloreClient({ apiKey: `${emu.apiKey}-typo`, baseUrl: emu.url, rateLimitStore: "redis//127.0.0.1:6379" }),
      /the rateLimitStore option: expected "file", "memory" or a Redis URL/,
    );
    assert.equal(emu.requests.length, 0);
  });
});

(hasRedisServer() ? describe : describe.skip)(
  "Redis as a team runs it: TLS, an ACL user, a network that fails",
  function () {
    this.timeout(120_000);
    const emu = emulatorPerTest();
    const password = `pw-${randomBytes(4).toString("hex")}`;
    let tls: TestRedis;
    let plain: TestRedis;
    before(async () => {
      await ensureBuilt();
      tls = await startRedis({ tls: true, password });
      // The least a runner needs: its own keys, and the commands the store sends.
      plain = await startRedis({
        password,
        user: { name: "clore-ci", password, rules: "~clore:rate-slots:* -@all +get +set +eval +time +info +ping" },
      });
    });
    after(async () => {
      await tls?.stop();
      await plain?.stop();
    });

    it("rediss:// with the team's CA in NODE_EXTRA_CA_CERTS: the runners share the limits, no 429", async () => {
      const results = await Promise.all(
        [0, 1].map(() => runner(emu(), 6, { CLORE_RATE_LIMIT_STORE: tls.url, NODE_EXTRA_CA_CERTS: tls.caFile! })),
      );
      assert.deepEqual(
        results.map((x) => x.failed),
        [0, 0],
      );
      for (const x of results) assert.doesNotMatch(x.stderr, FALLBACK);
      const r = arrivals(emu());
      assert.equal(r.rateLimited, 0);
      assert.ok(r.smallestGapMs >= API_INTERVAL_MS, `two requests arrived ${r.smallestGapMs} ms apart`);
      assert.ok(await slotRecord(tls.url, emu().apiKey, { tls: { ca: readFileSync(tls.caFile!) } }));
    });

    it("rediss:// to a certificate this machine does not trust fails the first call naming the setting, no API call", async () => {
      const client = new CloreClient({
        apiKey: emu().apiKey,
        baseUrl: emu().url,
        env: { CLORE_RATE_LIMIT_STORE: tls.url },
      });
      await assert.rejects(client.wallets(), (e: Error & { code?: string }) => {
        assert.equal(e.code, "CLORE_VALIDATION_FAILED");
        assert.match(e.message, /CLORE_RATE_LIMIT_STORE: cannot use Redis at rediss:\/\/:\*\*\*@127\.0\.0\.1/);
        assert.match(e.message, /certificate/i);
        assert.doesNotMatch(e.message, new RegExp(password));
        return true;
      });
      await client.close();
      assert.equal(emu().requests.length, 0);
    });

    it("an ACL user allowed only the clore:rate-slots:* keys and the store's commands is enough", async () => {
      const url = `redis://clore-ci:${password}@127.0.0.1:${plain.port}`;
      const [result] = await Promise.all([runner(emu(), 5, { CLORE_RATE_LIMIT_STORE: url })]);
      assert.equal(result!.failed, 0);
      assert.doesNotMatch(result!.stderr, FALLBACK);
      assert.ok(await slotRecord(url, emu().apiKey));
    });

    it("the network to Redis cut (connections closed) and then silent (nothing forwarded): nothing fails or waits long, one notice each way per outage", async () => {
      const proxy = await startTcpProxy(plain.port);
      try {
        const run = runner(emu(), 50, { CLORE_RATE_LIMIT_STORE: `redis://:${password}@127.0.0.1:${proxy.port}` });
        while (emu().requests.length < 5) await pause(20);
        proxy.cut();
        // Back on Redis within the store's 2 s retry; then a partition that closes nothing.
        await pause(3500);
        const before = emu().requests.length;
        proxy.freeze(5000);
        const frozenAt = performance.now();
        while (emu().requests.length < before + 3) await pause(20);
        const waited = performance.now() - frozenAt;
        const result = await run;
        assert.equal(result.failed, 0);
        assert.equal(result.stderr.match(FALLBACK)?.length, 2, result.stderr);
        assert.equal(result.stderr.match(BACK)?.length, 2, result.stderr);
        // A silent link costs one command timeout (0.5 s), not the partition's 5 s.
        assert.ok(waited < 3000, `requests stalled ${Math.round(waited)} ms behind a silent Redis`);
        const r = arrivals(emu());
        assert.equal(r.rateLimited, 0);
        assert.equal(r.calls, 50);
      } finally {
        await proxy.close();
      }
    });
  },
);
