import { strict as assert } from "node:assert";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "../../provider/cli/main";
import { CliHarness } from "./helpers";

/** No stack trace: no "    at fn (file:line)" lines. */
const STACK_LINE = /^\s+at .+/m;

describe("clore errors: one clear line on stderr, the next command, the right exit code", () => {
  const h = new CliHarness();
  before(() => h.start());
  after(() => h.stop());

  describe("API key problems (exit 1)", () => {
    it("a rejected --api-key says where the key came from and how to fix it", async () => {
      const r = await h.run(["wallets", "--api-key", "wrong-key"]);
      assert.equal(r.code, 1);
      assert.equal(r.stdout, "");
      assert.equal(
        r.stderr,
        "Error: wallets: the API rejected the key from --api-key (code 3, HTTP 401).\n" +
          'Check which key is used with "clore config show"; set a new one with "clore config set api_key <key>".\n',
      );
    });

    it("names CLORE_API_KEY or the config file when the key came from there", async () => {
      const fromEnv = await h.run(["orders"], { env: { CLORE_API_KEY: "wrong-key" } });
      assert.equal(fromEnv.code, 1);
      assert.match(
        fromEnv.stderr,
        /^Error: my_orders: the API rejected the key from CLORE_API_KEY \(code 3, HTTP 401\)\.\n/,
      );

      const home = join(h.home, "bad-key-home");
      mkdirSync(join(home, ".clore"), { recursive: true });
      writeFileSync(join(home, ".clore", "config.json"), JSON.stringify({ api_key: "stale-key" }));
      const fromFile = await h.run(["orders"], { env: { HOME: home, CLORE_API_KEY: undefined } });
      assert.equal(fromFile.code, 1);
      assert.match(
        fromFile.stderr,
        new RegExp(
          `^Error: my_orders: the API rejected the key from ${join(home, ".clore", "config.json").replace(/\./g, "\\.")} \\(code 3, HTTP 401\\)\\.\\n`,
        ),
      );
    });

    it("no key anywhere: lists the places it looked and the command to set one", async () => {
      const r = await h.run(["orders"], { env: { CLORE_API_KEY: undefined } });
      assert.equal(r.code, 1);
      assert.equal(r.stdout, "");
      assert.equal(
        r.stderr,
        `Error: no Clore API key found (looked at --api-key, CLORE_API_KEY and ${join(h.home, ".clore", "config.json")}).\n` +
          'Run "clore config set api_key <key>", set CLORE_API_KEY, or pass --api-key <key>.\n',
      );
    });

    it("no key anywhere, on an API that wants one for the marketplace too: search says the key is missing, not rejected", async () => {
      h.emu.options.marketplaceRequiresAuth = true;
      try {
        const r = await h.run(["search"], { env: { CLORE_API_KEY: undefined } });
        assert.equal(r.code, 1);
        assert.ok(
          r.stderr.startsWith(
            `Error: no Clore API key found (looked at --api-key, CLORE_API_KEY and ${join(h.home, ".clore", "config.json")}).\n`,
          ),
          r.stderr,
        );
      } finally {
        h.emu.options.marketplaceRequiresAuth = false;
      }
    });

    it("--debug adds the stack (and only then)", async () => {
      const plain = await h.run(["wallets", "--api-key", "wrong-key"]);
      assert.doesNotMatch(plain.stderr, STACK_LINE);
      const debug = await h.run(["wallets", "--api-key", "wrong-key", "--debug"]);
      assert.equal(debug.code, 1);
      assert.match(debug.stderr, /^Error: wallets: the API rejected the key from --api-key/m);
      assert.match(debug.stderr, /^AuthError: wallets: Clore API code 3/m);
      assert.match(debug.stderr, STACK_LINE);
      assert.doesNotMatch(debug.stderr, /wrong-key/, "the key must never be printed");
    });
  });

  it("an unknown order: exit 1 and one line naming the command to list orders", async () => {
    // Not listed anywhere is not proof it does not exist: the cancel is sent, and the API's refusal is said.
    const r = await h.run(["cancel", "999999"]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "");
    assert.equal(
      r.stderr,
      "Error: order 999999 is in none of your order lists (not listed by my_orders, and not listed by my_orders?return_completed=true), " +
        "and the API refused to cancel it: order_not_found. Check the id with `clore orders --completed`.\n",
    );
    assert.equal(h.acted("cancel_order"), 1);
  });

  describe("rate limits", () => {
    it("a 429 is retried by the SDK and the command succeeds", async () => {
      h.emu.faults.inject({ endpoint: "wallets", kind: "rate-limit", times: 1 });
      const r = await h.run(["wallets"]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, "");
      assert.equal(h.emu.requests.filter((x) => x.endpoint === "wallets" && x.fault === "rate-limit").length, 1);
    });

    it("a limit that never clears: exit 1 once the patience is spent, one line that says what to do once", async () => {
      h.emu.faults.inject({ endpoint: "wallets", kind: "rate-limit", times: "always" });
      try {
        const r = await h.run(["wallets"], { env: { CLORE_RATE_LIMIT_PATIENCE_MS: "1500" } });
        assert.equal(r.code, 1);
        assert.equal(r.stdout, "");
        assert.match(
          r.stderr,
          /^Error: wallets: Clore API code 5 \(HTTP 429\)\. Rate limit still exceeded after \d+ retries over [12] s\. Another process or machine may be using the same key: wait a minute and try again, or share the key's limits \(CLORE_RATE_LIMIT_STORE\)\.\n$/,
        );
      } finally {
        h.emu.faults.clear();
      }
    });
  });

  it("an unreadable API answer (after the SDK's retries of a read): exit 1, one line", async () => {
    h.emu.faults.inject({ endpoint: "my_orders", kind: "malformed", times: "always" });
    const r = await h.run(["orders"]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "");
    h.emu.faults.clear();
    assert.equal(r.stderr, "Error: my_orders: the API sent a response we could not read (HTTP 200: not JSON).\n");
  });

  describe("invalid deploy input is refused before anything is sent (exit 1)", () => {
    const server = ["deploy", "41873", "--currency", "USD-Blockchain", "--image"];
    const HELP = 'Run "clore deploy --help" to see the options.';
    const cases: Array<{ args: string[]; stderr: string }> = [
      {
        args: [...server, "a b"],
        stderr: `Error: invalid deploy options: --image must be a Docker image reference without spaces, e.g. cloreai/ubuntu22.04-cuda12\n${HELP}\n`,
      },
      {
        args: [...server, "x", "--type", "spot"],
        stderr: `Error: invalid deploy options: --spot-price is required when type is "spot"\n${HELP}\n`,
      },
      {
        args: [...server, "x", "--spot-price", "2"],
        stderr: `Error: invalid deploy options: --spot-price is only allowed when type is "spot"\n${HELP}\n`,
      },
      {
        args: [...server, "x", "--port", "22:udp"],
        stderr: `Error: invalid deploy options: --port "22" must be one of "tcp", "http" (got "udp")\n${HELP}\n`,
      },
      {
        args: [...server, "x", "--port", "22-tcp"],
        stderr: `Error: invalid deploy options: --port "22-tcp" is not PORT:PROTOCOL with PROTOCOL tcp or http (e.g. 22:tcp)\n${HELP}\n`,
      },
      {
        args: [...server, "x", "--port", "70000:tcp"],
        stderr: `Error: invalid deploy options: --port "70000" must be a port number 1-65535\n${HELP}\n`,
      },
      {
        args: [...server, "x", "--port", "80:http", "--port", "81:http"],
        stderr: `Error: invalid deploy options: --port at most one port may be 'http' (an order has one http_port)\n${HELP}\n`,
      },
      {
        args: [...server, "x", "--env", "1A=b"],
        stderr: `Error: invalid deploy options: --env "1A" must be a valid environment variable name ([A-Za-z_][A-Za-z0-9_]*)\n${HELP}\n`,
      },
      {
        args: [...server, "x", "--env", "NOVALUE"],
        stderr: `Error: invalid deploy options: --env "NOVALUE" is not KEY=VALUE (e.g. HF_TOKEN=hf_xxx)\n${HELP}\n`,
      },
      {
        args: [...server, "x", "--ssh-key", "hello"],
        stderr: `Error: invalid deploy options: --ssh-key must be an OpenSSH public key (ssh-ed25519 …, ssh-rsa …, ecdsa-…)\n${HELP}\n`,
      },
      {
        args: [...server, "x", "--ssh-key", "@/nonexistent/id.pub"],
        stderr:
          "Error: cannot read the SSH key file /nonexistent/id.pub: ENOENT.\nPass the public key itself or @PATH to an existing .pub file.\n",
      },
      {
        args: [...server, "x", "--ssh-password", "p".repeat(33)],
        stderr: `Error: invalid deploy options: --ssh-password must be at most 32 characters\n${HELP}\n`,
      },
      {
        args: [...server, "a b", "--type", "spot", "--jupyter-token", "t".repeat(33)],
        stderr: `Error: invalid deploy options: --image must be a Docker image reference without spaces, e.g. cloreai/ubuntu22.04-cuda12; --jupyter-token must be at most 32 characters; --spot-price is required when type is "spot"\n${HELP}\n`,
      },
    ];
    for (const c of cases) {
      it(c.args.slice(4).join(" "), async () => {
        const sent = h.emu.requests.length;
        const r = await h.run(c.args);
        assert.equal(r.code, 1);
        assert.equal(r.stdout, "");
        assert.equal(r.stderr, c.stderr);
        assert.equal(h.emu.requests.length, sent, "no request may reach the API");
      });
    }
  });

  it("an unexpected failure is a bug: exit 2 and a request for --debug output", async () => {
    let stderr = "";
    const io = {
      stdout: {
        write(): never {
          throw new TypeError("stdout exploded");
        },
      },
      stderr: { write: (s: string) => (stderr += s) },
      stdin: process.stdin,
      env: { HOME: h.home },
    };
    const code = await run(["config", "show"], io);
    assert.equal(code, 2);
    assert.equal(
      stderr,
      "Unexpected error: stdout exploded\nThis is a bug in clore. Run the command again with --debug and report the output.\n",
    );

    stderr = "";
    assert.equal(await run(["config", "show", "--debug"], io), 2);
    assert.match(
      stderr,
      /^Unexpected error: stdout exploded\nThis is a bug in clore; please report it with the stack below\.\nTypeError: stdout exploded\n\s+at /,
    );
  });
});
