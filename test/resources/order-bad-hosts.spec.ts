import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import type { Emulator } from "../../provider/emulator";
import { configure } from "../../provider/resources/dynamic";
import { create, remove } from "../../provider/resources/order/controller";
import { BadHosts, accountId } from "../../provider/sdk";
import { SAMPLE_IMAGE } from "../helpers/emulator";
import { scratchDir } from "../helpers/scratch-dir";
import { startFastEmulator } from "../reliability/helpers";

// Paced like the emulator (timeScale 0.05) with a margin, so no request draws a 429.
const ENV = { CLORE_MIN_INTERVAL_MS: "55", CLORE_CREATE_INTERVAL_MS: "260", CLORE_RATE_LIMIT_SHARED: "0" };

/** CloreOrder's create marks a server whose order never became reachable, and find-and-rent then skips it. */
describe("CloreOrder create: a server whose order never became reachable is avoided", () => {
  let emu: Emulator;
  let dir: string;
  const saved = { ...process.env };

  before(async () => {
    // Orders take 10 min (virtual, 30 s real) to boot: a 1 s readiness wait fails.
    emu = await startFastEmulator({ apiKey: `bad-hosts-${randomBytes(6).toString("hex")}`, bootDelayMs: 600_000 });
    dir = scratchDir("bad-hosts");
    Object.assign(process.env, ENV, { CLORE_BAD_HOSTS_DIR: dir });
    configure({ get: (k: string) => ({ "clore:apiKey": emu.apiKey, "clore:baseUrl": emu.url })[k] });
  });
  after(async () => {
    configure(undefined);
    for (const k of [...Object.keys(ENV), "CLORE_BAD_HOSTS_DIR"]) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    rmSync(dir, { recursive: true, force: true });
    await emu?.close();
  });

  const inputs = (waitForReady: boolean) => ({
    select: { gpus: ["RTX"] },
    image: SAMPLE_IMAGE,
    currency: "USD-Blockchain",
    ports: { "22": "tcp" },
    waitForReady,
    readyTimeout: 1,
  });

  it("marks the server (never-reachable, for the image) and the next find-and-rent picks another", async () => {
    const e = (await create(inputs(true)).catch((x: unknown) => x)) as { id?: string; message?: string };
    assert.match(String(e.message), /ready/i);
    const [first] = emu.activeOrders();
    assert.ok(first, "the order that never became ready");
    const marks = new BadHosts(accountId(emu.apiKey, emu.url), { dir });
    assert.deepEqual(
      [...marks.avoided(SAMPLE_IMAGE).values()].map((b) => [b.serverId, b.reason]),
      [[first.serverId, "never-reachable"]],
    );
    assert.equal(marks.avoided("another/image").size, 0);
    await remove(String(first.id), {});

    const next = await create(inputs(false));
    const second = emu.activeOrders().find((o) => String(o.id) === next.id)!;
    assert.notEqual(second.serverId, first.serverId);
    await remove(next.id, {});
    assert.deepEqual(emu.activeOrders(), []);
  });
});
