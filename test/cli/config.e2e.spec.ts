import { strict as assert } from "node:assert";
import { chmodSync, existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { CliHarness } from "./helpers";

const KEY = "abcd1234efgh5678ijkl9012wxyz";

describe("clore config (~/.clore/config.json)", () => {
  const h = new CliHarness();
  let path: string;
  // No CLORE_* in the environment: only the file counts here.
  const bare = () => ({
    env: { CLORE_API_KEY: undefined, CLORE_BASE_URL: undefined, CLORE_RATE_LIMIT_STORE: undefined },
  });
  before(async () => {
    await h.start();
    path = join(h.home, ".clore", "config.json");
  });
  after(() => h.stop());

  it("show before anything is set: defaults, and how to set a key", async () => {
    const r = await h.run(["config", "show"], bare());
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      `Config file  ${path} (not created yet)\n\n` +
        "KEY               VALUE                                        FROM\n" +
        "api_key           -                                            not set\n" +
        "base_url          https://api.clore.ai/v1                      default\n" +
        "rate_limit_store  file ledger (every process on this machine)  default\n" +
        "events            off                                          default\n\n" +
        "No API key yet. Set one with: clore config set api_key <key>\n",
    );
    const { doc } = await h.json(["config", "show"], bare());
    assert.deepEqual(doc, {
      path,
      exists: false,
      mode: null,
      api_key: null,
      api_key_source: null,
      base_url: "https://api.clore.ai/v1",
      base_url_source: "default",
      rate_limit_store: "file ledger (every process on this machine)",
      rate_limit_store_source: "default",
      events: "off",
      events_source: "default",
    });
  });

  it("show names where events go and from which setting, a webhook by its host only", async () => {
    const hook = "https://hooks.example.invalid/services/T000/B000/s3cr3t-token";
    const { doc, run } = await h.json(["config", "show"], { env: { CLORE_EVENTS: `${hook},stdout` } });
    assert.equal(doc.events, "https://hooks.example.invalid/…, stdout");
    assert.equal(doc.events_source, "CLORE_EVENTS");
    assert.ok(!run.stdout.includes("s3cr3t-token"));
    const bad = await h.json(["config", "show"], { env: { CLORE_EVENTS: "slack" } });
    assert.match(
      bad.doc.events,
      /^invalid: .*CLORE_EVENTS: expected stdout, file:\/path or an http\(s\):\/\/ webhook URL/,
    );
  });

  it("get of an unset key: exit 1 and the command to set it", async () => {
    const r = await h.run(["config", "get", "api_key"], bare());
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `Error: api_key is not set in ${path}.\nSet it with: clore config set api_key <value>\n`);
  });

  it("set api_key writes the file owner-only (0600, folder 0700) and never echoes the key", async () => {
    const r = await h.run(["config", "set", "api_key", KEY], bare());
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `Saved api_key = abcd…wxyz in ${path} (mode 0600).\n`);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(statSync(join(h.home, ".clore")).mode & 0o777, 0o700);
    assert.deepEqual(JSON.parse(readFileSync(path, "utf8")), { api_key: KEY });
  });

  it("set api_key - reads the key from stdin; set base_url keeps the other keys", async () => {
    const r = await h.run(["config", "set", "api_key", "-"], { ...bare(), input: `${h.emu.apiKey}\n` });
    assert.equal(r.code, 0, r.stderr);
    const base = await h.run(["config", "set", "base_url", `${h.emu.url}/`], bare());
    assert.equal(base.code, 0, base.stderr);
    assert.deepEqual(JSON.parse(readFileSync(path, "utf8")), { api_key: h.emu.apiKey, base_url: h.emu.url });
    assert.equal(statSync(path).mode & 0o777, 0o600);
  });

  it("get prints the raw value for scripts", async () => {
    const r = await h.run(["config", "get", "api_key"], bare());
    assert.equal(r.code, 0);
    assert.equal(r.stdout, `${h.emu.apiKey}\n`);
    const { doc } = await h.json(["config", "get", "base_url"], bare());
    assert.deepEqual(doc, { key: "base_url", value: h.emu.url });
  });

  it("commands use the file when no flag or env var is set", async () => {
    const r = await h.run(["wallets", "--json"], bare());
    assert.equal(r.code, 0, r.stderr);
    assert.ok(Array.isArray(JSON.parse(r.stdout)));
  });

  it("show masks the key and says where each value comes from (flag > env > file)", async () => {
    const masked = `${h.emu.apiKey.slice(0, 4)}…${h.emu.apiKey.slice(-4)}`;
    const fromFile = await h.json(["config", "show"], bare());
    assert.deepEqual(fromFile.doc, {
      path,
      exists: true,
      mode: "0600",
      api_key: masked,
      api_key_source: path,
      base_url: h.emu.url,
      base_url_source: path,
      rate_limit_store: "file ledger (every process on this machine)",
      rate_limit_store_source: "default",
      events: "off",
      events_source: "default",
    });
    assert.ok(!fromFile.run.stdout.includes(h.emu.apiKey));

    const table = await h.run(["config", "show"], bare());
    assert.match(table.stdout, new RegExp(`^api_key +${masked} +${path.replace(/\./g, "\\.")}$`, "m"));
    assert.ok(!table.stdout.includes(h.emu.apiKey));

    const fromEnv = await h.json(["config", "show"], {
      env: { CLORE_API_KEY: KEY, CLORE_BASE_URL: "http://example.invalid/v1" },
    });
    assert.equal(fromEnv.doc.api_key, "abcd…wxyz");
    assert.equal(fromEnv.doc.api_key_source, "CLORE_API_KEY");
    assert.equal(fromEnv.doc.base_url_source, "CLORE_BASE_URL");

    const fromFlag = await h.json(["config", "show", "--api-key", "short"], { env: { CLORE_API_KEY: KEY } });
    assert.equal(fromFlag.doc.api_key, "****");
    assert.equal(fromFlag.doc.api_key_source, "--api-key");
  });

  it("warns when the file is readable by others", async () => {
    chmodSync(path, 0o644);
    try {
      const r = await h.run(["config", "show"], bare());
      assert.equal(r.code, 0);
      assert.equal(r.stderr, `Warning: ${path} has mode 0644; it holds your API key. Fix it with: chmod 600 ${path}\n`);
    } finally {
      chmodSync(path, 0o600);
    }
  });

  it("refuses unknown keys and bad values", async () => {
    const cases: Array<[string[], string]> = [
      [
        ["config", "set", "apikey", "x"],
        'Error: unknown config key "apikey"; the keys are api_key, base_url.\nExample: clore config set api_key <key>\n',
      ],
      [
        ["config", "get", "token"],
        'Error: unknown config key "token"; the keys are api_key, base_url.\nExample: clore config set api_key <key>\n',
      ],
      [
        ["config", "set", "base_url", "ftp://x"],
        'Error: base_url must be an http(s) URL, got "ftp://x".\nExample: clore config set base_url https://api.clore.ai/v1\n',
      ],
      [
        ["config", "set", "api_key", "has space"],
        "Error: api_key must not contain spaces or newlines.\nCopy the key again from clore.ai and run: clore config set api_key <key>\n",
      ],
    ];
    for (const [args, stderr] of cases) {
      const r = await h.run(args, bare());
      assert.equal(r.code, 1, args.join(" "));
      assert.equal(r.stderr, stderr);
    }
    assert.ok(existsSync(path));
    assert.deepEqual(Object.keys(JSON.parse(readFileSync(path, "utf8"))), ["api_key", "base_url"]);
  });
});
