import { strict as assert } from "node:assert";
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { inspect } from "node:util";
import {
  CloreClient,
  DEFAULT_BASE_URL,
  FakeClock,
  MissingApiKeyError,
  RateLimiter,
  defaultConfigPath,
  readConfigFile,
  resolveSettings,
  writeConfigFile,
  type CloreClientOptions,
} from "../../provider/sdk";
import { FakeTransport, uniqueKey } from "../helpers/fake-transport";
import { fixture } from "../helpers/fixtures";

describe("API key resolution", () => {
  let dir: string;
  let configPath: string;
  let missingPath: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "clore-key-"));
    configPath = path.join(dir, ".clore", "config.json");
    missingPath = path.join(dir, "nowhere", "config.json");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A client isolated from the real environment, home directory and shared limiters. */
  function client(options: CloreClientOptions = {}) {
    const clock = new FakeClock();
    const transport = new FakeTransport(() => ({ json: fixture("wallets.json") }));
    const c = new CloreClient({
      env: {},
      configPath: missingPath,
      clock,
      rateLimiter: new RateLimiter({ clock }),
      transport,
      ...options,
    });
    return { client: c, transport };
  }

  describe("order: explicit option > CLORE_API_KEY > ~/.clore/config.json", () => {
    const table: Array<{ name: string; option?: string; env?: string; file?: string; key?: string; source?: string }> =
      [
        {
          name: "all three set: the option wins",
          option: "opt-key",
          env: "env-key",
          file: "file-key",
          key: "opt-key",
          source: "option",
        },
        { name: "env and file: the env var wins", env: "env-key", file: "file-key", key: "env-key", source: "env" },
        {
          name: "option and file: the option wins",
          option: "opt-key",
          file: "file-key",
          key: "opt-key",
          source: "option",
        },
        { name: "only the file", file: "file-key", key: "file-key", source: "config-file" },
        {
          name: "empty option and empty env var fall through to the file",
          option: "",
          env: "",
          file: "file-key",
          key: "file-key",
          source: "config-file",
        },
        { name: "nothing anywhere", key: undefined, source: undefined },
      ];
    for (const row of table) {
      it(row.name, async () => {
        if (row.file !== undefined) writeConfigFile({ api_key: row.file }, configPath);
        const env = row.env === undefined ? {} : { CLORE_API_KEY: row.env };
        const settings = resolveSettings({ apiKey: row.option, env, configPath });
        assert.equal(settings.apiKey, row.key);
        assert.equal(settings.keySource, row.source);

        const { client: c, transport } = client({ apiKey: row.option, env, configPath });
        assert.equal(c.keySource, row.source);
        assert.equal(c.hasApiKey, row.key !== undefined);
        if (row.key !== undefined) {
          await c.wallets();
          assert.equal(transport.requests[0].headers.auth, row.key, "the resolved key is the one sent");
        }
      });
    }
  });

  it("sends the key as the raw `auth` header, not as a Bearer token", async () => {
    const key = uniqueKey("header");
    const { client: c, transport } = client({ apiKey: key });
    await c.wallets();
    const headers = transport.requests[0].headers;
    assert.equal(headers.auth, key);
    assert.equal(
      Object.keys(headers).some((h) => h.toLowerCase() === "authorization"),
      false,
    );
  });

  it("does not expose the key on the client object", () => {
    const key = uniqueKey("hidden");
    const { client: c } = client({ apiKey: key });
    assert.ok(!JSON.stringify(c).includes(key));
    assert.ok(!inspect(c, { depth: Infinity, showHidden: true }).includes(key));
    assert.ok(!Object.values(c).some((v) => v === key));
  });

  it("resolves the base URL the same way (option > CLORE_BASE_URL > base_url in the file > default) and trims trailing slashes", () => {
    writeConfigFile({ base_url: "http://file.example/v1/" }, configPath);
    const env = { CLORE_BASE_URL: "http://env.example/v1" };
    assert.equal(
      resolveSettings({ baseUrl: "http://opt.example/v1//", env, configPath }).baseUrl,
      "http://opt.example/v1",
    );
    assert.equal(resolveSettings({ env, configPath }).baseUrl, "http://env.example/v1");
    assert.equal(resolveSettings({ env: {}, configPath }).baseUrl, "http://file.example/v1");
    assert.equal(resolveSettings({ env: {}, configPath: missingPath }).baseUrl, DEFAULT_BASE_URL);
    assert.equal(DEFAULT_BASE_URL, "https://api.clore.ai/v1");
  });

  it("treats an unreadable config file as empty instead of crashing", () => {
    writeFileSync(configPath.replace(".clore/config.json", "broken.json"), "{ not json");
    assert.deepEqual(readConfigFile(configPath.replace(".clore/config.json", "broken.json")), {});
    writeFileSync(configPath.replace(".clore/config.json", "array.json"), "[1,2]");
    assert.deepEqual(readConfigFile(configPath.replace(".clore/config.json", "array.json")), {});
    const { client: c } = client({ configPath: configPath.replace(".clore/config.json", "broken.json") });
    assert.equal(c.hasApiKey, false);
  });

  it("looks for the config file at ~/.clore/config.json by default", () => {
    assert.equal(defaultConfigPath("/home/someone"), path.join("/home/someone", ".clore", "config.json"));
  });

  describe("a missing key", () => {
    const calls: Array<[string, (c: CloreClient) => Promise<unknown>, string]> = [
      ["wallets()", (c) => c.wallets(), "wallets"],
      ["myServers()", (c) => c.myServers(), "my_servers"],
      ["serverConfig()", (c) => c.serverConfig("rig-alpha"), "server_config"],
      ["myOrders()", (c) => c.myOrders(), "my_orders"],
      [
        "createOrder()",
        (c) =>
          c.createOrder({
            serverId: 41873,
            image: "cloreai/ubuntu22.04-cuda12",
            type: "on-demand",
            currency: "bitcoin",
          }),
        "create_order",
      ],
      ["cancelOrder()", (c) => c.cancelOrder(612345), "cancel_order"],
      ["spotMarketplace()", (c) => c.spotMarketplace(41873), "spot_marketplace"],
      ["setSpotPrice()", (c) => c.setSpotPrice(612402, 380), "set_spot_price"],
      [
        "setServerSettings()",
        (c) => c.setServerSettings({ name: "rig-alpha", availability: true, mrl: 72 }),
        "set_server_settings",
      ],
      [
        "setServerSettings() that must read server_config first",
        (c) => c.setServerSettings({ name: "rig-alpha", onDemand: 1 }),
        "server_config",
      ],
      ["cancelOrders()", (c) => c.cancelOrders([1, 2]), "cancel_orders"],
      ["renterFees()", (c) => c.renterFees(), "renter_fees"],
      ["pohBalance()", (c) => c.pohBalance(), "poh_balance"],
      ["getGigaspot()", (c) => c.getGigaspot(), "get_gigaspot"],
      [
        "createGigaspotOrders()",
        (c) => c.createGigaspotOrders(fixture("requests/create_gigaspot_orders.json")),
        "create_gigaspot_orders",
      ],
      [
        "editGigaspotOrders()",
        (c) => c.editGigaspotOrders(fixture("requests/edit_gigaspot_orders.json")),
        "edit_gigaspot_orders",
      ],
    ];

    for (const [name, call, endpoint] of calls) {
      it(`${name} throws MissingApiKeyError before sending anything`, async () => {
        const { client: c, transport } = client();
        await assert.rejects(call(c), (e: any) => {
          assert.ok(e instanceof MissingApiKeyError, `got ${e}`);
          assert.equal(e.code, "CLORE_MISSING_API_KEY");
          assert.ok(e.message.startsWith(`${endpoint}: no Clore API key found.`), e.message);
          return true;
        });
        assert.equal(transport.requests.length, 0);
      });
    }

    it("names all three places to put a key, with the commands to do it", async () => {
      const { client: c } = client();
      const e = await c.wallets().catch((err: Error) => err);
      assert.equal(
        (e as Error).message,
        "wallets: no Clore API key found. Looked in: the apiKey option (Pulumi: `pulumi config set --secret clore:apiKey <key>`); " +
          "the CLORE_API_KEY environment variable; ~/.clore/config.json (`clore config set api_key <key>`).",
      );
    });

    it("does not stop the public marketplace, which is fetched without an auth header", async () => {
      const clock = new FakeClock();
      const transport = new FakeTransport(() => ({ json: fixture("marketplace.json") }));
      const c = new CloreClient({
        env: {},
        configPath: missingPath,
        clock,
        rateLimiter: new RateLimiter({ clock }),
        transport,
      });
      const servers = await c.marketplace({ availableOnly: false });
      assert.equal(servers.length, 2);
      assert.equal(transport.requests.length, 1);
      assert.equal(transport.requests[0].headers.auth, undefined);
    });
  });

  describe("config file", () => {
    it("is written readable by its owner only (0600), in a 0700 directory", function () {
      if (process.platform === "win32") this.skip();
      writeConfigFile({ api_key: "k" }, configPath);
      assert.equal(statSync(configPath).mode & 0o777, 0o600);
      assert.equal(statSync(path.dirname(configPath)).mode & 0o777, 0o700);
    });

    it("tightens an existing world-readable file to 0600 when rewriting it", function () {
      if (process.platform === "win32") this.skip();
      writeConfigFile({ api_key: "old" }, configPath);
      chmodSync(configPath, 0o644);
      writeConfigFile({ api_key: "new" }, configPath);
      assert.equal(statSync(configPath).mode & 0o777, 0o600);
      assert.equal(readConfigFile(configPath).api_key, "new");
    });

    it("round-trips the official Python SDK's format and keeps other keys", () => {
      writeConfigFile({ api_key: "abc", base_url: "http://x/v1", theme: "dark" }, configPath);
      assert.deepEqual(JSON.parse(readFileSync(configPath, "utf8")), {
        api_key: "abc",
        base_url: "http://x/v1",
        theme: "dark",
      });
      assert.deepEqual(readConfigFile(configPath), { api_key: "abc", base_url: "http://x/v1", theme: "dark" });
    });
  });
});
