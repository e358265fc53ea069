import assert from "node:assert/strict";
import { join } from "node:path";
import { type Emulator, startEmulator } from "../../provider/emulator";
import { type TestRedis, hasRedisServer, startRedis } from "../helpers/redis";
import { REPO, type TestStack, createStack } from "./harness";

const PROGRAM = join(REPO, "test/pulumi/programs/order");
// The emulator boots servers 20× faster than the API, but keeps the real limits in real
// time (1 request/s, 1 create_order per 5 s): its limits are in its own (scaled) time.
const TIME_SCALE = 0.05;
const EMULATOR = {
  port: 0,
  timeScale: TIME_SCALE,
  generalIntervalMs: 1000 / TIME_SCALE,
  createIntervalMs: 5000 / TIME_SCALE,
};
// The SDK at its defaults (1010 ms, 5020 ms); only the find and backoff waits are test-sized.
const ENV = { CLORE_FIND_TIMEOUT_MS: "20000", CLORE_MIN_INTERVAL_MS: "", CLORE_CREATE_INTERVAL_MS: "" };

/** A stack on its own "machine": createStack gives each its own HOME, so its own rate-limit ledger, caches and PULUMI_HOME state. */
async function machineStack(emu: Emulator, serverId: number, store: string): Promise<TestStack> {
  const stack = await createStack(PROGRAM, ENV);
  await stack.setConfig("clore:apiKey", emu.apiKey, true);
  await stack.setConfig("clore:rateLimitStore", store, true);
  await stack.pulumi([
    "config",
    "set-all",
    "--plaintext",
    `clore:baseUrl=${emu.url}`,
    "--plaintext",
    `serverId=${serverId}`,
    "--plaintext",
    "waitForReady=false",
  ]);
  return stack;
}

(hasRedisServer() ? describe : describe.skip)("two stacks on two machines, one key, limits kept in Redis", function () {
  this.timeout(240_000);
  let redis: TestRedis;
  let emu: Emulator;
  const stacks: TestStack[] = [];
  before(async () => {
    redis = await startRedis({ password: "team-redis-pw" });
    emu = await startEmulator(EMULATOR);
  });
  after(async () => {
    await Promise.all(stacks.map((s) => s.destroy().catch(() => undefined)));
    for (const s of stacks) s.cleanup();
    await emu?.close();
    await redis?.stop();
  });

  it("`pulumi up` of both at once: every create_order arrives ≥ 5 s after the one before, no 429", async () => {
    stacks.push(await machineStack(emu, 60101, redis.url), await machineStack(emu, 60103, redis.url));
    await Promise.all(stacks.map((s) => s.up()));
    const creates = emu.requests
      .filter((r) => r.endpoint === "create_order")
      .map((r) => r.realTime)
      .sort((a, b) => a - b);
    assert.equal(creates.length, 2);
    assert.ok(creates[1]! - creates[0]! >= 5000, `two creates arrived ${creates[1]! - creates[0]!} ms apart`);
    assert.deepEqual(
      emu.requests.filter((r) => r.httpStatus === 429).map((r) => r.endpoint),
      [],
    );
  });

  it("a wrong Redis password fails at preview naming clore:rateLimitStore, and sends nothing to the API", async () => {
    const stack = await machineStack(emu, 60102, redis.url.replace("team-redis-pw", "wrong-pw"));
    stacks.push(stack);
    const before = emu.requests.length;
    const r = await stack.pulumi(["preview", "--diff"], { allowFail: true });
    const out = r.stdout + r.stderr;
    assert.notEqual(r.code, 0);
    assert.match(out, /clore:rateLimitStore: cannot use Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+: WRONGPASS/);
    assert.doesNotMatch(out, /wrong-pw|team-redis-pw/);
    assert.equal(emu.requests.length, before);
  });
});
