import assert from "node:assert/strict";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { rent } from "../../provider/resources/order/rent";
import type { OrderInputsResolved } from "../../provider/resources/order/schema";
import { BadHosts, CloreClient, FakeClock, RateLimiter } from "../../provider/sdk";
import { FakeTransport, byEndpoint, uniqueKey } from "../helpers/fake-transport";
import { fixture } from "../helpers/fixtures";
import { scratchDir } from "../helpers/scratch-dir";

const HOUR = 3_600_000;
const IMAGE = "cloreai/ubuntu22.04-cuda12";

describe("bad hosts: servers find-and-rent avoids for a while", () => {
  let dir: string;
  let clock: FakeClock;
  const hosts = (account = "acct") => new BadHosts(account, { dir, clock });
  beforeEach(() => {
    dir = scratchDir("bad-hosts");
    clock = new FakeClock();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("a marked server is avoided for its image, and not for another image or another account", () => {
    hosts().mark(7, IMAGE, "never-reachable");
    assert.deepEqual([...hosts().avoided(IMAGE).keys()], [7]);
    assert.deepEqual([...hosts().avoided("other/image").keys()], []);
    assert.deepEqual([...hosts("other-account").avoided(IMAGE).keys()], []);
  });

  it("expires: never-reachable after 24 h, lost-mid-job sooner (6 h)", () => {
    hosts().mark(1, IMAGE, "never-reachable");
    hosts().mark(2, IMAGE, "lost-mid-job");
    clock.advance(6 * HOUR - 1);
    assert.deepEqual([...hosts().avoided(IMAGE).keys()].sort(), [1, 2]);
    clock.advance(1);
    assert.deepEqual([...hosts().avoided(IMAGE).keys()], [1]);
    clock.advance(18 * HOUR);
    assert.deepEqual([...hosts().avoided(IMAGE).keys()], []);
    assert.deepEqual(hosts().list(), [], "expired marks are dropped from the file on the next write");
  });

  it("a later, shorter mark does not shorten a longer one; ttls can be set", () => {
    hosts().mark(1, IMAGE, "never-reachable");
    hosts().mark(1, IMAGE, "lost-mid-job");
    clock.advance(12 * HOUR);
    assert.equal(hosts().avoided(IMAGE).get(1)?.reason, "never-reachable");
    const short = new BadHosts("acct", { dir, clock, ttls: { "lost-mid-job": 1000 } });
    short.mark(3, IMAGE, "lost-mid-job");
    clock.advance(1000);
    assert.equal(short.avoided(IMAGE).has(3), false);
  });

  it("a mark without an image avoids the server for every image", () => {
    hosts().mark(5, undefined, "lost-mid-job");
    assert.ok(hosts().avoided(IMAGE).has(5));
    assert.ok(hosts().avoided("other/image").has(5));
  });

  it("a corrupt file avoids nothing and is replaced by the next mark; a bad entry costs only itself", () => {
    writeFileSync(join(dir, "acct.json"), "{not json");
    assert.deepEqual(hosts().list(), []);
    hosts().mark(9, IMAGE, "never-reachable");
    assert.deepEqual([...hosts().avoided(IMAGE).keys()], [9]);
    const until = clock.now() + HOUR;
    writeFileSync(
      join(dir, "acct.json"),
      JSON.stringify({
        hosts: [{ serverId: "x" }, { serverId: 4, image: IMAGE, reason: "lost-mid-job", at: 0, until }],
      }),
    );
    assert.deepEqual([...hosts().avoided(IMAGE).keys()], [4]);
  });

  it("an unwritable directory is ignored: nothing is avoided, nothing throws", () => {
    const file = join(dir, "a-file");
    writeFileSync(file, "");
    const b = new BadHosts("acct", { dir: join(file, "sub"), clock });
    b.mark(1, IMAGE, "never-reachable");
    assert.deepEqual(b.list(), []);
  });

  it("the folder comes from CLORE_BAD_HOSTS_DIR, and the file is named by the account id, never the key", () => {
    const sub = join(dir, "from-env");
    mkdirSync(sub);
    const key = uniqueKey("secret-key");
    const client = new CloreClient({ apiKey: key, transport: new FakeTransport() });
    new BadHosts(client.account, { env: { CLORE_BAD_HOSTS_DIR: sub }, clock }).mark(1, IMAGE, "lost-mid-job");
    assert.ok(new BadHosts(client.account, { dir: sub, clock }).avoided(IMAGE).has(1));
    assert.ok(!client.account.includes(key));
  });

  describe("find-and-rent", () => {
    const base = (fixture("marketplace.json") as { servers: Array<{ price: { on_demand: object } }> }).servers[0]!;
    const CHEAP = 81001;
    const NEXT = 81002;
    const servers = [CHEAP, NEXT].map((id, n) => ({
      ...base,
      id,
      rented: false,
      price: { ...base.price, on_demand: { ...base.price.on_demand, "USD-Blockchain": 1 + n } },
    }));
    const inputs = {
      select: { maxAttempts: 3 },
      image: IMAGE,
      currency: "USD-Blockchain",
      type: "on-demand",
      waitForReady: true,
      readyTimeout: 600,
    } as OrderInputsResolved;
    let saved: string | undefined;
    beforeEach(() => {
      saved = process.env.CLORE_BAD_HOSTS_DIR;
      process.env.CLORE_BAD_HOSTS_DIR = dir;
    });
    afterEach(() => {
      if (saved === undefined) delete process.env.CLORE_BAD_HOSTS_DIR;
      else process.env.CLORE_BAD_HOSTS_DIR = saved;
    });

    /** The server create_order was asked for (the fake stops there). */
    async function rentedServer(): Promise<number | string> {
      const c = new FakeClock();
      const asked: number[] = [];
      const client = new CloreClient({
        apiKey: "bad-hosts-rent",
        clock: c,
        rateLimiter: new RateLimiter({ clock: c }),
        maxRetries: 0,
        transport: new FakeTransport(
          byEndpoint({
            marketplace: { json: { code: 0, servers, my_servers: [] } },
            create_order: (req) => {
              asked.push(JSON.parse(req.body!).renting_server);
              return { throws: new Error("stop here") };
            },
          }),
          c,
        ),
      });
      const e = await rent(client, inputs, {}).catch((x: unknown) => x as Error);
      return asked[0] ?? (e as Error).message;
    }

    it("skips a server marked for the image and rents the next cheapest; none left is a clear error", async () => {
      assert.equal(await rentedServer(), CHEAP);
      const account = new CloreClient({ apiKey: "bad-hosts-rent", transport: new FakeTransport() }).account;
      const marks = new BadHosts(account, { dir }); // rent reads with the real clock
      marks.mark(CHEAP, IMAGE, "lost-mid-job");
      assert.equal(await rentedServer(), NEXT);
      marks.mark(NEXT, IMAGE, "never-reachable");
      assert.match(
        String(await rentedServer()),
        /no available server matches .* apart from 2 server\(s\) avoided as bad hosts/,
      );
      // Marks for another image do not count.
      rmSync(join(dir, `${account}.json`));
      new BadHosts(account, { dir }).mark(CHEAP, "other/image", "never-reachable");
      assert.equal(await rentedServer(), CHEAP);
    });
  });
});
