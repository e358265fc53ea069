import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Emulator } from "../../provider/emulator";
import { getMarketplace } from "../../provider/resources/marketplace/get-marketplace";
import { check as checkOrder } from "../../provider/resources/order/controller";
import { configure } from "../../provider/resources/dynamic";
import { check as checkSettings } from "../../provider/resources/server-settings/controller";
import { isCloreError } from "../../provider/sdk";
import { ensureBuilt } from "../helpers/build";
import { clore, output, startFastEmulator } from "./helpers";

/**
 * Bad inputs, one row each: where it goes in, the input, the property the message must name
 * and a phrase it must contain. Every row is rejected before any API call: the emulator's
 * request log does not grow (each target also has a control row that does reach the API).
 */
type Target = "CloreOrder" | "CloreServerSettings" | "getMarketplace" | "clore deploy";
interface Row {
  target: Target;
  what: string;
  /** Inputs merged over a valid set (resources, getMarketplace) or the argv after `deploy` (CLI). */
  input: Record<string, unknown> | string[];
  property: string;
  phrase: string;
}

const ORDER = {
  serverId: 60101,
  image: "cloreai/ubuntu22.04-cuda12",
  currency: "USD-Blockchain",
  ports: { "22": "tcp" },
};
const SETTINGS = { name: "rig-alpha" };
const DEPLOY = ["60101", "--image", "cloreai/ubuntu22.04-cuda12", "--currency", "USD-Blockchain"];
const CURRENCIES = '"bitcoin", "CLORE-Blockchain", "USD-Blockchain"';

const ROWS: Row[] = [
  // CloreOrder (provider check, as `pulumi preview` runs it)
  {
    target: "CloreOrder",
    what: "server id as a string",
    input: { serverId: "60101" },
    property: "serverId",
    phrase: "must be an integer",
  },
  { target: "CloreOrder", what: "ports as a list", input: { ports: ["22"] }, property: "ports", phrase: "object" },
  {
    target: "CloreOrder",
    what: "waitForReady as a string",
    input: { waitForReady: "yes" },
    property: "waitForReady",
    phrase: "must be a boolean",
  },
  {
    target: "CloreOrder",
    what: "port 70000",
    input: { ports: { "22": "tcp", "70000": "tcp" } },
    property: "ports.70000",
    phrase: "must be a port number 1-65535",
  },
  {
    target: "CloreOrder",
    what: "port 0",
    input: { ports: { "0": "tcp" } },
    property: "ports.0",
    phrase: "must be a port number 1-65535",
  },
  {
    target: "CloreOrder",
    what: "udp port",
    input: { ports: { "53": "udp" } },
    property: "ports.53",
    phrase: 'must be one of "tcp", "http" (got "udp")',
  },
  {
    target: "CloreOrder",
    what: "17 ports",
    input: { ports: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [String(2000 + i), "tcp"])) },
    property: "ports",
    phrase: "at most 16 ports",
  },
  {
    target: "CloreOrder",
    what: "unknown currency",
    input: { currency: "usd" },
    property: "currency",
    phrase: `must be one of ${CURRENCIES} (got "usd")`,
  },
  {
    target: "CloreOrder",
    what: "order type with an underscore",
    input: { type: "on_demand" },
    property: "type",
    phrase: 'must be one of "on-demand", "spot" (got "on_demand")',
  },
  {
    target: "CloreOrder",
    what: "spot without a price",
    input: { type: "spot" },
    property: "spotPrice",
    phrase: 'is required when type is "spot"',
  },
  {
    target: "CloreOrder",
    what: "negative spot price",
    input: { type: "spot", spotPrice: -1 },
    property: "spotPrice",
    phrase: "must be greater than 0 (got -1)",
  },
  {
    target: "CloreOrder",
    what: "negative price cap",
    input: { maxPricePerDay: -5 },
    property: "maxPricePerDay",
    phrase: "must be greater than 0 (got -5)",
  },
  {
    target: "CloreOrder",
    what: "price cap on a spot order",
    input: { type: "spot", spotPrice: 2, maxPricePerDay: 3 },
    property: "maxPricePerDay",
    phrase: "applies to on-demand orders",
  },
  { target: "CloreOrder", what: "empty image", input: { image: "" }, property: "image", phrase: "must not be empty" },
  {
    target: "CloreOrder",
    what: "image of 300 characters",
    input: { image: "x".repeat(300) },
    property: "image",
    phrase: "must be at most 256 characters",
  },
  {
    target: "CloreOrder",
    what: "env name with a dash",
    input: { env: { "MY-VAR": "1" } },
    property: "env.MY-VAR",
    phrase: "must be a valid environment variable name",
  },
  {
    target: "CloreOrder",
    what: "env name starting with a digit",
    input: { env: { "1BAD": "1" } },
    property: "env.1BAD",
    phrase: "must be a valid environment variable name",
  },
  {
    target: "CloreOrder",
    what: "env value over 1536 characters",
    input: { env: { BIG: "x".repeat(1537) } },
    property: "env.BIG",
    phrase: "must be at most 1536 characters",
  },
  {
    target: "CloreOrder",
    what: "jupyter token over 32 characters",
    input: { jupyterToken: "t".repeat(33) },
    property: "jupyterToken",
    phrase: "must be at most 32 characters",
  },
  {
    target: "CloreOrder",
    what: "ssh password over 32 characters",
    input: { sshPassword: "p".repeat(33) },
    property: "sshPassword",
    phrase: "must be at most 32 characters",
  },
  {
    target: "CloreOrder",
    what: "not an ssh key",
    input: { sshKey: "hello" },
    property: "sshKey",
    phrase: "must be an OpenSSH public key",
  },
  {
    target: "CloreOrder",
    what: "command over 16384 characters",
    input: { command: "x".repeat(16385) },
    property: "command",
    phrase: "must be at most 16384 characters",
  },
  {
    target: "CloreOrder",
    what: "ready timeout over a day",
    input: { readyTimeout: 90_000 },
    property: "readyTimeout",
    phrase: "must be <= 86400 (got 90000)",
  },
  {
    target: "CloreOrder",
    what: "misspelt field",
    input: { imagee: "x" },
    property: "imagee",
    phrase: "is not a known field",
  },
  {
    target: "CloreOrder",
    what: "order id 0 to adopt",
    input: { adoptOrderId: 0 },
    property: "adoptOrderId",
    phrase: "must be greater than 0 (got 0)",
  },
  {
    target: "CloreOrder",
    what: "server id as a string (wording)",
    input: { serverId: "60101" },
    property: "serverId",
    phrase: "must be an integer",
  },
  {
    target: "CloreOrder",
    what: "ports as a list (wording)",
    input: { ports: ["22"] },
    property: "ports",
    phrase: "must be an object",
  },

  // CloreServerSettings (provider check)
  {
    target: "CloreServerSettings",
    what: "empty server name",
    input: { name: "" },
    property: "name",
    phrase: "must not be empty",
  },
  {
    target: "CloreServerSettings",
    what: "server name over 128 characters",
    input: { name: "r".repeat(129) },
    property: "name",
    phrase: "must be at most 128 characters",
  },
  {
    target: "CloreServerSettings",
    what: "rental length 0",
    input: { mrl: 0 },
    property: "mrl",
    phrase: "must be greater than 0 (got 0)",
  },
  {
    target: "CloreServerSettings",
    what: "rental length over a year",
    input: { mrl: 9000 },
    property: "mrl",
    phrase: "must be <= 8760 (got 9000)",
  },
  {
    target: "CloreServerSettings",
    what: "negative price",
    input: { onDemandPrices: { "USD-Blockchain": -1 } },
    property: "onDemandPrices.USD-Blockchain",
    phrase: "must be >= 0 (got -1)",
  },
  {
    target: "CloreServerSettings",
    what: "price in an unknown currency",
    input: { spotPrices: { dogecoin: 1 } },
    property: "spotPrices.dogecoin",
    phrase: `must be one of ${CURRENCIES}`,
  },
  {
    target: "CloreServerSettings",
    what: "unknown enabled currency",
    input: { enabledCurrencies: ["dogecoin"] },
    property: "enabledCurrencies[0]",
    phrase: `must be one of ${CURRENCIES} (got "dogecoin")`,
  },
  {
    target: "CloreServerSettings",
    what: "availability as a string",
    input: { availability: "yes" },
    property: "availability",
    phrase: "must be a boolean",
  },
  {
    target: "CloreServerSettings",
    what: "unknown onDelete",
    input: { onDelete: "delete" },
    property: "onDelete",
    phrase: 'must be one of "restore", "keep", "unlist" (got "delete")',
  },
  {
    target: "CloreServerSettings",
    what: "usd pricing without spot",
    input: { usdPricing: { "USD-Blockchain": { onDemand: 1 } } },
    property: "usdPricing.USD-Blockchain.spot",
    phrase: "is required",
  },
  {
    target: "CloreServerSettings",
    what: "misspelt field",
    input: { availabilty: true },
    property: "availabilty",
    phrase: "is not a known field",
  },
  {
    target: "CloreServerSettings",
    what: "no enabled currency",
    input: { enabledCurrencies: [] },
    property: "enabledCurrencies",
    phrase: "must not be empty",
  },
  {
    target: "CloreServerSettings",
    what: "autoprice 'eur'",
    input: { autoprice: { "USD-Blockchain": "eur" } },
    property: "autoprice.USD-Blockchain",
    phrase: 'must be "usd" or false',
  },

  // getMarketplace (throws ValidationError in the program)
  {
    target: "getMarketplace",
    what: "reliability as a percentage",
    input: { minReliability: 99 },
    property: "minReliability",
    phrase: "must be <= 1",
  },
  {
    target: "getMarketplace",
    what: "country name instead of code",
    input: { country: "Finland" },
    property: "country",
    phrase: "must be a 2-letter ISO country code",
  },
  {
    target: "getMarketplace",
    what: "unknown currency",
    input: { currency: "dogecoin" },
    property: "currency",
    phrase: 'must be one of "bitcoin", "CLORE-Blockchain", "USD-Blockchain"',
  },
  {
    target: "getMarketplace",
    what: "negative price cap",
    input: { maxPricePerDay: -1 },
    property: "maxPricePerDay",
    phrase: "must be greater than 0",
  },
  {
    target: "getMarketplace",
    what: "limit 0",
    input: { limit: 0 },
    property: "limit",
    phrase: "must be greater than 0",
  },
  {
    target: "getMarketplace",
    what: "cache of two hours",
    input: { cacheTtlSeconds: 7200 },
    property: "cacheTtlSeconds",
    phrase: "must be <= 3600",
  },
  {
    target: "getMarketplace",
    what: "misspelt field",
    input: { gpuu: "4090" },
    property: "gpuu",
    phrase: "is not a known field",
  },
  {
    target: "getMarketplace",
    what: "reliability as a percentage (wording)",
    input: { minReliability: 99 },
    property: "minReliability",
    phrase: "must be <= 1 (got 99)",
  },

  // clore deploy (exit 1 before any request)
  {
    target: "clore deploy",
    what: "unknown currency",
    input: [...DEPLOY.slice(0, 3), "--currency", "dogecoin"],
    property: "--currency",
    phrase: `must be one of ${CURRENCIES} (got "dogecoin")`,
  },
  {
    target: "clore deploy",
    what: "empty image",
    input: ["60101", "--image", "", "--currency", "USD-Blockchain"],
    property: "--image",
    phrase: "must not be empty",
  },
  {
    target: "clore deploy",
    what: "port 70000",
    input: [...DEPLOY, "--port", "70000:tcp"],
    property: "--port",
    phrase: "must be a port number 1-65535",
  },
  {
    target: "clore deploy",
    what: "udp port",
    input: [...DEPLOY, "--port", "53:udp"],
    property: "--port",
    phrase: 'must be one of "tcp", "http" (got "udp")',
  },
  {
    target: "clore deploy",
    what: "two http ports",
    input: [...DEPLOY, "--port", "80:http", "--port", "8888:http"],
    property: "--port",
    phrase: "at most one port may be 'http'",
  },
  {
    target: "clore deploy",
    what: "spot without a price",
    input: [...DEPLOY, "--type", "spot"],
    property: "--spot-price",
    phrase: 'is required when type is "spot"',
  },
  {
    target: "clore deploy",
    what: "negative spot price",
    input: [...DEPLOY, "--type", "spot", "--spot-price", "-1"],
    property: "--spot-price",
    phrase: "greater than 0",
  },
  {
    target: "clore deploy",
    what: "negative server id",
    input: ["-5", ...DEPLOY.slice(1)],
    property: "server_id",
    phrase: "whole number greater than 0",
  },
  {
    target: "clore deploy",
    what: "env name starting with a digit",
    input: [...DEPLOY, "--env", "1BAD=x"],
    property: "--env",
    phrase: "must be a valid environment variable name",
  },
  {
    target: "clore deploy",
    what: "env without =",
    input: [...DEPLOY, "--env", "JUSTANAME"],
    property: "--env",
    phrase: "is not KEY=VALUE",
  },
  {
    target: "clore deploy",
    what: "ssh password over 32 characters",
    input: [...DEPLOY, "--ssh-password", "p".repeat(40)],
    property: "--ssh-password",
    phrase: "must be at most 32 characters",
  },
  {
    target: "clore deploy",
    what: "not an ssh key",
    input: [...DEPLOY, "--ssh-key", "hello"],
    property: "--ssh-key",
    phrase: "must be an OpenSSH public key",
  },
  {
    target: "clore deploy",
    what: "unknown option",
    input: [...DEPLOY, "--imagee", "x"],
    property: "--imagee",
    phrase: "unknown option",
  },
];

describe("bad input is rejected before any API call", function () {
  this.timeout(120_000);
  let emu: Emulator;
  let cacheDir: string;
  const saved: Record<string, string | undefined> = {};
  const env = { CLORE_API_KEY: "", CLORE_BASE_URL: "", CLORE_CACHE_DIR: "" };

  before(async () => {
    await ensureBuilt();
    emu = await startFastEmulator({ rateLimit: false });
    cacheDir = mkdtempSync(join(tmpdir(), "clore-bad-input-"));
    // Anything that slipped through would reach this emulator and show in its request log.
    Object.assign(env, { CLORE_API_KEY: emu.apiKey, CLORE_BASE_URL: emu.url, CLORE_CACHE_DIR: cacheDir });
    for (const [k, v] of Object.entries(env)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    configure({ get: (k: string) => ({ "clore:apiKey": emu.apiKey, "clore:baseUrl": emu.url })[k] });
  });
  after(async () => {
    configure(undefined);
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    rmSync(cacheDir, { recursive: true, force: true });
    await emu?.close();
  });

  /** The message(s) a target produces for one input, as `property: reason` pairs. */
  async function reject(row: Row): Promise<{ property: string; reason: string }[]> {
    switch (row.target) {
      case "CloreOrder":
        return (await checkOrder({}, { ...ORDER, ...(row.input as object) })).failures ?? [];
      case "CloreServerSettings":
        return (await checkSettings({}, { ...SETTINGS, ...(row.input as object) })).failures ?? [];
      case "getMarketplace":
        try {
          await getMarketplace(row.input as never);
        } catch (e) {
          assert.ok(isCloreError(e) && e.code === "CLORE_VALIDATION_FAILED", `not a ValidationError: ${e}`);
          return (e as unknown as { issues: { path: string; message: string }[] }).issues.map((i) => ({
            property: i.path,
            reason: i.message,
          }));
        }
        return [];
      case "clore deploy": {
        const r = await clore(emu, ["deploy", ...(row.input as string[])]);
        assert.equal(r.code, 1, output(r));
        assert.equal(r.stdout, "", "a rejected command printed data");
        const errors = r.stderr.split("\n").filter((l) => /^Error:/.test(l));
        assert.equal(errors.length, 1, `one error line expected:\n${r.stderr}`);
        assert.equal(r.stderr.split("\n")[0], errors[0], "the error comes first");
        // The CLI's one line names the flag; report it as that property when it does.
        return [{ property: errors[0]!.includes(row.property) ? row.property : "(not named)", reason: errors[0]! }];
      }
    }
  }

  for (const row of ROWS) {
    const title = `${row.target}: ${row.what} → ${row.property} "${row.phrase}"`;
    it(title, async () => {
      const before = emu.requests.length;
      const failures = await reject(row);
      assert.equal(emu.requests.length, before, "an API request was sent");
      const hit = failures.find((f) => f.property === row.property);
      assert.ok(hit, `no message names ${row.property}: ${JSON.stringify(failures)}`);
      assert.ok(hit.reason.includes(row.phrase), `"${hit.reason}" does not contain "${row.phrase}"`);
    });
  }

  describe("controls: valid input does reach the API", () => {
    it("getMarketplace", async () => {
      const before = emu.requests.length;
      const r = await getMarketplace({ gpu: "RTX", cacheTtlSeconds: 0 });
      assert.ok(r.servers.length > 0);
      assert.equal(emu.requests.length, before + 1);
    });

    it("clore deploy", async () => {
      const before = emu.requests.length;
      const r = await clore(emu, ["deploy", ...DEPLOY, "--no-wait", "--json"]);
      assert.equal(r.code, 0, output(r));
      assert.ok(emu.requests.length > before);
      emu.reset();
    });
  });
});
