import { strict as assert } from "node:assert";
import { clore, ensureBuilt } from "./helpers";

/** Every command, and options its --help must show with their defaults/choices. */
const COMMANDS: Array<{ command: string[]; mustShow: string[] }> = [
  {
    command: ["search"],
    mustShow: [
      "--gpu <model>",
      "--min-gpu <count>",
      "--min-ram <gb>",
      "--max-price <usd>",
      '(choices: "price", "gpu", "ram", "reliability", default: "price")',
      "--limit <n>",
      "(default: 20)",
      "--all",
    ],
  },
  { command: ["orders"], mustShow: ["--completed"] },
  {
    command: ["deploy"],
    mustShow: [
      "<server_id>",
      "--image <image>",
      '(choices: "on-demand", "spot", default: "on-demand")',
      '"USD-Blockchain"',
      "--ssh-password",
      "--ssh-key",
      "--port <port:protocol>",
      "--env <KEY=VALUE>",
      "--spot-price",
      "--required-price",
      "--command",
      "--jupyter-token",
      "--no-wait",
      "--wait-timeout <seconds>",
      "(default: 600)",
    ],
  },
  { command: ["cancel"], mustShow: ["<order_id>", "--issue <text>"] },
  { command: ["wallets"], mustShow: [] },
  { command: ["servers"], mustShow: [] },
  { command: ["server-config"], mustShow: ["<name>"] },
  { command: ["spot"], mustShow: ["<server_id>"] },
  { command: ["spot-price"], mustShow: ["<order_id>", "<price>"] },
  {
    command: ["ssh"],
    mustShow: [
      "<order_id>",
      "--user <name>",
      '(default: "root")',
      "--exec",
      "--password-env <VAR>",
      "-i, --identity <file>",
      "--wait <seconds>",
    ],
  },
  { command: ["config"], mustShow: ["set <key> <value>", "get <key>", "show"] },
  { command: ["config", "set"], mustShow: ["<key>", "<value>"] },
  { command: ["config", "get"], mustShow: ["<key>"] },
  { command: ["config", "show"], mustShow: [] },
  { command: ["orphans"], mustShow: ["--state <file>", "--backend-dir <dir>", "--cancel", "--yes"] },
  {
    command: ["cost"],
    mustShow: ["--since <when>", "--until <when>", "--by <what>", '(default: "order")', "--csv", "--no-chart"],
  },
  {
    command: ["cp"],
    mustShow: ["<source>", "<destination>", "ORDER_ID:PATH", "--password-env <VAR>", "-i, --identity <file>"],
  },
  { command: ["job"], mustShow: ["attach [options] <stack>", "logs", "status", "wait", "stop", "finish"] },
  ...["attach", "logs"].map((sub) => ({
    command: ["job", sub],
    mustShow: ["<stack>", "--cwd <dir>", '(default: ".")', "--password-env <VAR>", "--from <bytes>", "--job <id>"],
  })),
  { command: ["job", "status"], mustShow: ["<stack>", "--cwd <dir>", "--user <name>", "-i, --identity <file>"] },
  { command: ["job", "wait"], mustShow: ["<stack>", "--wait <seconds>", "--job <id>"] },
  { command: ["job", "stop"], mustShow: ["<stack>", "--grace <seconds>", "(default: 10)"] },
  { command: ["job", "finish"], mustShow: ["<stack>", "--into <dir>", "--if-done", "--log"] },
];

/** The global options every --help lists, with their env fallbacks. */
const GLOBALS = [
  "--api-key <key>",
  "(env: CLORE_API_KEY;",
  "--base-url <url>",
  "(env: CLORE_BASE_URL;",
  "--json",
  "--debug",
];

// Help wraps long lines; compare with whitespace collapsed.
const flat = (s: string) => s.replace(/\s+/g, " ");

describe("clore --help", () => {
  before(() => ensureBuilt());

  it("lists every command, the global options with env fallbacks, examples and exit codes", async () => {
    const r = await clore(["--help"]);
    assert.equal(r.code, 0);
    assert.equal(r.stderr, "");
    for (const name of [
      "search",
      "orders",
      "deploy",
      "cancel",
      "wallets",
      "servers",
      "server-config",
      "spot",
      "spot-price",
      "ssh",
      "config",
      "orphans",
      "cost",
      "cp",
      "job",
    ]) {
      assert.match(r.stdout, new RegExp(`^  ${name}\\b`, "m"), `command ${name} missing from --help`);
    }
    for (const g of GLOBALS) assert.ok(flat(r.stdout).includes(g), `--help lacks ${g}`);
    assert.match(r.stdout, /\nExamples:\n {2}\$ clore /);
    assert.match(r.stdout, /Exit codes: 0 ok, 1 user or API error, 2 bug in clore, 3 partly done/);
  });

  for (const { command, mustShow } of COMMANDS) {
    it(`clore ${command.join(" ")} --help lists its options with defaults, the global options and examples`, async () => {
      const r = await clore([...command, "--help"]);
      assert.equal(r.code, 0, r.stderr);
      const text = flat(r.stdout);
      assert.ok(text.startsWith(`Usage: clore ${command.join(" ")} `), r.stdout);
      for (const s of mustShow)
        assert.ok(text.includes(s), `clore ${command.join(" ")} --help lacks ${s}:\n${r.stdout}`);
      for (const g of GLOBALS) assert.ok(text.includes(g), `clore ${command.join(" ")} --help lacks global ${g}`);
      assert.match(r.stdout, new RegExp(`\\nExamples:\\n {2}\\$ .*clore ${command[0]}`));
    });
  }

  it("prints the version", async () => {
    const r = await clore(["--version"]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^\d+\.\d+\.\d+\n$/);
  });

  describe("usage errors: exit 1, one line on stderr and where to get help, nothing on stdout", () => {
    const cases: Array<{ args: string[]; says: string; hint: string }> = [
      {
        args: ["search", "--limit", "x"],
        says: "Error: option '--limit <n>' argument 'x' is invalid. Expected a whole number greater than 0.",
        hint: 'Run "clore search --help" for usage.',
      },
      {
        args: ["search", "--sort", "cost"],
        says: "Error: option '--sort <key>' argument 'cost' is invalid. Allowed choices are price, gpu, ram, reliability.",
        hint: 'Run "clore search --help" for usage.',
      },
      {
        args: ["search", "--max-price", "-1"],
        says: "Error: option '--max-price <usd>' argument '-1' is invalid. Expected a number greater than 0.",
        hint: 'Run "clore search --help" for usage.',
      },
      {
        args: ["deploy", "41873", "--currency", "USD-Blockchain"],
        says: "Error: required option '--image <image>' not specified",
        hint: 'Run "clore deploy --help" for usage.',
      },
      {
        args: ["deploy", "41873", "--image", "x"],
        says: "Error: required option '--currency <currency>' not specified",
        hint: 'Run "clore deploy --help" for usage.',
      },
      {
        args: ["deploy", "abc", "--image", "x", "--currency", "bitcoin"],
        says: "Error: command-argument value 'abc' is invalid for argument 'server_id'. Expected a whole number greater than 0.",
        hint: 'Run "clore deploy --help" for usage.',
      },
      {
        args: ["deploy", "1", "--image", "x", "--currency", "EUR", "--type", "spott"],
        says: 'Error: invalid deploy options: --type must be one of "on-demand", "spot" (got "spott"); --currency must be one of "bitcoin", "CLORE-Blockchain", "USD-Blockchain" (got "EUR")',
        hint: 'Run "clore deploy --help" to see the options.',
      },
      {
        args: ["cancel"],
        says: "Error: missing required argument 'order_id'",
        hint: 'Run "clore cancel --help" for usage.',
      },
      {
        args: ["spot-price", "1", "free"],
        says: "Error: command-argument value 'free' is invalid for argument 'price'. Expected a number greater than 0.",
        hint: 'Run "clore spot-price --help" for usage.',
      },
      {
        args: ["ssh", "0"],
        says: "Error: command-argument value '0' is invalid for argument 'order_id'. Expected a whole number greater than 0.",
        hint: 'Run "clore ssh --help" for usage.',
      },
      {
        args: ["wallets", "--colour"],
        says: "Error: unknown option '--colour'",
        hint: 'Run "clore wallets --help" for usage.',
      },
      {
        args: ["serach"],
        says: "Error: unknown command 'serach'\n(Did you mean search?)",
        hint: 'Run "clore --help" for usage.',
      },
    ];
    for (const c of cases) {
      it(`clore ${c.args.join(" ")}`, async () => {
        const r = await clore(c.args);
        assert.equal(r.code, 1);
        assert.equal(r.stdout, "");
        assert.equal(r.stderr, `${c.says}\n${c.hint}\n`);
      });
    }
  });
});
