import { strict as assert } from "node:assert";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import {
  AuthError,
  CloreApiError,
  CloreClient,
  DatabaseError,
  FakeClock,
  FieldError,
  InvalidEndpointError,
  InvalidInputError,
  MalformedResponseError,
  MissingApiKeyError,
  NetworkError,
  OrderOutcomeUnknownError,
  RateLimitError,
  RateLimiter,
  TimeoutError,
  ValidationError,
  isCloreError,
  type CloreClientOptions,
  type EndpointName,
} from "../../provider/sdk";
import { FakeTransport, byEndpoint, uniqueKey, type FakeReply } from "../helpers/fake-transport";
import { fixture } from "../helpers/fixtures";

/** Recognizable, so a leak anywhere in an error is easy to spot. */
const SECRET = "SECRET-clore-key-7f3a9c1e";

function client(options: CloreClientOptions = {}): CloreClient {
  const clock = new FakeClock();
  // A 429 gives up after maxRetries here (no patience): the error's own text is under test.
  return new CloreClient({
    apiKey: uniqueKey("errors"),
    clock,
    rateLimiter: new RateLimiter({ clock }),
    rateLimitPatienceMs: 0,
    ...options,
  });
}

async function failure(p: Promise<unknown>): Promise<any> {
  return p.then(
    (v) => assert.fail(`expected a rejection, got ${JSON.stringify(v)}`),
    (e: unknown) => e,
  );
}

/** Every way an error could carry the key out into a log. */
function assertNoSecret(e: unknown): void {
  const err = e as Error;
  for (const [where, text] of [
    ["message", err.message],
    ["stack", err.stack ?? ""],
    ["JSON.stringify", JSON.stringify(err)],
    ["util.inspect", inspect(err, { depth: Infinity, showHidden: true })],
    ["String()", String(err)],
  ]) {
    assert.ok(!text.includes(SECRET), `${err.name}'s ${where} contains the API key`);
  }
}

/** A local HTTP server whose handler we control; closed by the caller. */
async function listen(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1` };
}

async function closedPortUrl(): Promise<string> {
  const { server, url } = await listen(() => undefined);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return url;
}

describe("errors", () => {
  describe("API codes map to one class each, with a stable code and structured fields", () => {
    const table: Array<{
      name: string;
      status: number;
      body: Record<string, unknown>;
      cls: abstract new (...args: never[]) => Error;
      code: string;
      apiError?: string;
      phrase: string;
    }> = [
      {
        name: "code 1",
        status: 500,
        body: { code: 1 },
        cls: DatabaseError,
        code: "CLORE_DATABASE_ERROR",
        phrase: "database error",
      },
      {
        name: "code 2",
        status: 400,
        body: { code: 2 },
        cls: InvalidInputError,
        code: "CLORE_INVALID_INPUT",
        phrase: "rejected the request body",
      },
      {
        name: "code 3 (HTTP 401)",
        status: 401,
        body: { code: 3 },
        cls: AuthError,
        code: "CLORE_AUTH_FAILED",
        phrase: "CLORE_API_KEY",
      },
      {
        name: "code 4",
        status: 404,
        body: { code: 4 },
        cls: InvalidEndpointError,
        code: "CLORE_INVALID_ENDPOINT",
        phrase: "base URL",
      },
      {
        name: "code 5 (HTTP 429)",
        status: 429,
        body: { code: 5 },
        cls: RateLimitError,
        code: "CLORE_RATE_LIMITED",
        phrase: "after 3 retries",
      },
      {
        name: "code 6 (HTTP 200)",
        status: 200,
        body: { code: 6, error: "server-already-rented" },
        cls: FieldError,
        code: "CLORE_FIELD_ERROR",
        apiError: "server-already-rented",
        phrase: '"server-already-rented"',
      },
      {
        name: "an unknown code 9",
        status: 200,
        body: { code: 9 },
        cls: CloreApiError,
        code: "CLORE_API_ERROR",
        phrase: "code 9",
      },
    ];

    for (const row of table) {
      it(`${row.name} → ${row.cls.name} (${row.code})`, async () => {
        // wallets is a read: code 1 and 429 are retried, so the answer is final only after maxRetries.
        const transport = new FakeTransport(() => ({ status: row.status, json: row.body }));
        const e = await failure(client({ transport, maxRetries: 3 }).wallets());
        assert.ok(e instanceof row.cls, `got ${e}`);
        assert.ok(e instanceof CloreApiError);
        assert.equal(e.name, row.cls.name);
        assert.deepEqual(
          {
            code: e.code,
            apiCode: e.apiCode,
            endpoint: e.endpoint,
            httpStatus: e.httpStatus,
            apiError: e.apiError,
            response: e.response,
          },
          {
            code: row.code,
            apiCode: row.body.code,
            endpoint: "wallets",
            httpStatus: row.status,
            apiError: row.apiError,
            response: row.body,
          },
        );
        assert.match(e.message, /^wallets: Clore API code \d/);
        assert.ok(
          e.message.includes(row.phrase),
          `message ${JSON.stringify(e.message)} lacks ${JSON.stringify(row.phrase)}`,
        );
        assert.ok(isCloreError(e));
        const retried = row.cls === DatabaseError || row.cls === RateLimitError;
        assert.equal(transport.requests.length, retried ? 4 : 1);
      });
    }

    it("treats a 429 without a JSON code as a rate limit", async () => {
      const transport = new FakeTransport(() => ({ status: 429, json: { message: "slow down" } }));
      const e = await failure(client({ transport, maxRetries: 0 }).wallets());
      assert.equal(e.code, "CLORE_RATE_LIMITED");
      assert.equal(e.apiCode, 5);
    });

    it("reads `code` even on HTTP 200 (code 6 arrives as a 200)", async () => {
      const transport = new FakeTransport(() => ({
        status: 200,
        json: fixture("set_spot_price_exceeded_max_step.json"),
      }));
      const e = await failure(client({ transport }).setSpotPrice(612402, 1));
      assert.equal(e.code, "CLORE_FIELD_ERROR");
      assert.equal(e.httpStatus, 200);
      assert.equal(e.response.max_step, 1e-6);
    });
  });

  describe("code 6 error strings come with a next step", () => {
    const table: Array<[file: string, endpoint: EndpointName, phrase: string]> = [
      [
        "errors/create_order_server_already_rented_http200.json",
        "create_order",
        "The server is taken, by another renter or by an order of yours (`clore orders`).",
      ],
      [
        "errors/create_order_not_enough_balance.json",
        "create_order",
        "balance is too low for this order. Top up or choose another currency (`clore wallets`).",
      ],
      ["errors/create_order_server_offline.json", "create_order", "The server is offline. Pick another one"],
      [
        "errors/create_order_currency_not_allowed.json",
        "create_order",
        "does not accept that currency; see its allowed_coins",
      ],
      ["errors/create_order_too_low_price.json", "create_order", "below the server's minimum (3.2); bid higher"],
      ["set_spot_price_exceeded_max_step.json", "set_spot_price", "lowered by at most 0.000001 per change"],
      ["set_spot_price_can_lower_every_600_seconds.json", "set_spot_price", "once every 600 s; try again in 487 s"],
    ];
    const inputs: Partial<Record<EndpointName, { body: unknown }>> = {
      create_order: { body: fixture("requests/create_order_spot.json") },
      set_spot_price: { body: fixture("requests/set_spot_price.json") },
    };
    for (const [file, endpoint, phrase] of table) {
      const body = fixture(file);
      it(`"${body.error}" says: ${phrase}`, async () => {
        const transport = new FakeTransport(() => ({ json: body }));
        const e = await failure(client({ transport }).call(endpoint, inputs[endpoint]));
        assert.equal(e.code, "CLORE_FIELD_ERROR");
        assert.equal(e.apiError, body.error);
        assert.ok(e.message.includes(phrase), `message ${JSON.stringify(e.message)} lacks ${JSON.stringify(phrase)}`);
      });
    }

    it("an unknown error string still names the string, with no made-up hint", async () => {
      const transport = new FakeTransport(() => ({ json: { code: 6, error: "brand-new-error" } }));
      const e = await failure(client({ transport }).wallets());
      assert.equal(e.message, 'wallets: Clore API code 6 "brand-new-error" (HTTP 200).');
    });
  });

  describe("transport failures", () => {
    let hanging: { server: Server; url: string };
    before(async () => {
      // Accepts the request and never answers.
      hanging = await listen(() => undefined);
    });
    after(async () => {
      hanging.server.closeAllConnections();
      await new Promise<void>((resolve) => hanging.server.close(() => resolve()));
    });

    it("no answer within the timeout → TimeoutError naming the endpoint and the limit", async () => {
      const c = client({ baseUrl: hanging.url, timeout: 50, maxRetries: 0 });
      try {
        const e = await failure(c.wallets());
        assert.ok(e instanceof TimeoutError, `got ${e}`);
        assert.equal(e.code, "CLORE_TIMEOUT");
        assert.equal(e.endpoint, "wallets");
        assert.match(e.message, /^wallets: no answer within 50 ms\. Raise the client timeout/);
      } finally {
        await c.close();
      }
    });

    it("connection refused on 127.0.0.1 → NetworkError with the reason", async () => {
      const c = client({ baseUrl: await closedPortUrl(), maxRetries: 0 });
      try {
        const e = await failure(c.wallets());
        assert.ok(e instanceof NetworkError, `got ${e}`);
        assert.equal(e.code, "CLORE_NETWORK_ERROR");
        assert.equal(e.endpoint, "wallets");
        assert.match(e.message, /^wallets: network error \(ECONNREFUSED\)\. Check the base URL/);
      } finally {
        await c.close();
      }
    });

    const malformed: Array<[what: string, reply: FakeReply, reason: string]> = [
      ["truncated JSON", { status: 200, text: '{"code":0,"wallets":[{"name":"bitc' }, "HTTP 200: not JSON"],
      ["an HTML error page", { status: 502, text: "<html><body>502 Bad Gateway</body></html>" }, "HTTP 502: not JSON"],
      ["an empty body", { status: 200, text: "" }, "HTTP 200: empty body"],
      ["a JSON array", { status: 200, text: "[]" }, "HTTP 200: not a JSON object"],
      ["JSON null", { status: 200, text: "null" }, "HTTP 200: not a JSON object"],
      ["an object without `code`", { status: 200, json: { wallets: [] } }, "HTTP 200: no integer `code`"],
      [
        "a success of the wrong shape",
        { status: 200, json: { code: 0, wallets: "none" } },
        "HTTP 200: unexpected shape at wallets",
      ],
    ];
    for (const [what, reply, reason] of malformed) {
      it(`${what} → MalformedResponseError (${reason})`, async () => {
        const transport = new FakeTransport(() => reply);
        const e = await failure(client({ transport, maxRetries: 0 }).wallets());
        assert.ok(e instanceof MalformedResponseError, `got ${e}`);
        assert.equal(e.code, "CLORE_MALFORMED_RESPONSE");
        assert.equal(e.endpoint, "wallets");
        assert.ok(e.message.startsWith(`wallets: the API sent a response we could not read (${reason}`), e.message);
      });
    }

    it("does not echo the unreadable body into the message", async () => {
      const transport = new FakeTransport(() => ({
        status: 502,
        text: "<html>upstream said: internal-detail-xyz</html>",
      }));
      const e = await failure(client({ transport, maxRetries: 0 }).wallets());
      assert.ok(!e.message.includes("internal-detail-xyz"));
    });
  });

  describe("isCloreError", () => {
    it("recognizes every SDK error and nothing else", () => {
      const ours = [
        new DatabaseError({ apiCode: 1, endpoint: "wallets", httpStatus: 500 }),
        new TimeoutError("wallets", 1),
        new NetworkError("wallets", "ECONNRESET"),
        new MalformedResponseError("wallets", 200, "not JSON"),
        new MissingApiKeyError("wallets"),
        new ValidationError("createOrder", [{ path: "image", message: "must not be empty" }]),
        new OrderOutcomeUnknownError(1, "timeout"),
      ];
      for (const e of ours) assert.equal(isCloreError(e), true, e.name);
      const others = [
        new Error("CLORE_TIMEOUT"),
        { code: "CLORE_TIMEOUT", message: "x" },
        null,
        undefined,
        "CLORE_API_ERROR",
        5,
      ];
      for (const v of others) assert.equal(isCloreError(v), false, String(v));
    });

    it("recognizes errors thrown by a second copy of the package, with instanceof too", () => {
      const modulePath = require.resolve("../../provider/sdk/errors");
      const original = require.cache[modulePath];
      delete require.cache[modulePath];
      try {
        const copy = require(modulePath) as typeof import("../../provider/sdk/errors");
        assert.notEqual(copy.AuthError, AuthError, "a real second copy was loaded");
        const foreign = new copy.AuthError({ apiCode: 3, endpoint: "wallets", httpStatus: 401 });
        // Each class checks the error's recorded class names (Symbol.hasInstance), not its prototype.
        assert.equal(foreign instanceof AuthError, true);
        assert.equal(foreign instanceof CloreApiError, true);
        assert.equal(foreign instanceof RateLimitError, false);
        assert.equal(
          new AuthError({ apiCode: 3, endpoint: "wallets", httpStatus: 401 }) instanceof copy.CloreError,
          true,
        );
        assert.equal(isCloreError(foreign), true);
        assert.equal(foreign.code, "CLORE_AUTH_FAILED");
      } finally {
        require.cache[modulePath] = original;
      }
    });
  });

  describe("no error carries the API key", () => {
    const withSecret = (options: CloreClientOptions) => {
      const clock = new FakeClock();
      return new CloreClient({ apiKey: SECRET, clock, rateLimiter: new RateLimiter({ clock }), ...options });
    };

    for (const [code, status] of [
      [1, 500],
      [2, 400],
      [3, 401],
      [4, 404],
      [5, 429],
      [6, 200],
    ]) {
      it(`API code ${code}`, async () => {
        const transport = new FakeTransport(() => ({
          status,
          json: { code, error: code === 6 ? "server-offline" : undefined },
        }));
        const e = await failure(withSecret({ transport }).wallets());
        assert.equal(transport.requests[0].headers.auth, SECRET, "the key was sent, so it was available to leak");
        assertNoSecret(e);
      });
    }

    it("a timeout and a refused connection (real undici, with causes)", async () => {
      const hanging = await listen(() => undefined);
      const slow = withSecret({ baseUrl: hanging.url, timeout: 30, maxRetries: 0 });
      const refused = withSecret({ baseUrl: await closedPortUrl(), maxRetries: 0 });
      try {
        const timeout = await failure(slow.wallets());
        assert.equal(timeout.code, "CLORE_TIMEOUT");
        assertNoSecret(timeout);
        const network = await failure(refused.wallets());
        assert.equal(network.code, "CLORE_NETWORK_ERROR");
        assertNoSecret(network);
      } finally {
        await Promise.all([slow.close(), refused.close()]);
        hanging.server.closeAllConnections();
        await new Promise<void>((resolve) => hanging.server.close(() => resolve()));
      }
    });

    it("a malformed answer, bad input, and a create whose outcome is unknown", async () => {
      const transport = new FakeTransport(
        byEndpoint({
          wallets: { status: 200, text: "{" },
          create_order: { throws: new TimeoutError("create_order", 10) },
          my_orders: { json: { code: 0, orders: [] } },
        }),
      );
      const c = withSecret({ transport, maxRetries: 0 });
      const errors = [
        await failure(c.wallets()),
        await failure(c.createOrder({ serverId: 1, image: "", type: "spot", currency: "bitcoin" })),
        await failure(
          c.createOrder({ serverId: 1, image: "img", type: "on-demand", currency: "bitcoin" }, { findTimeoutMs: 0 }),
        ),
      ];
      assert.deepEqual(
        errors.map((e) => e.code),
        ["CLORE_MALFORMED_RESPONSE", "CLORE_VALIDATION_FAILED", "CLORE_ORDER_OUTCOME_UNKNOWN"],
      );
      errors.forEach(assertNoSecret);
    });

    it("a validation error about the key's own value does not repeat it", async () => {
      // ssh_password is a secret too: a bad one is described, not quoted.
      const c = withSecret({ transport: new FakeTransport() });
      const e = await failure(
        c.createOrder({
          serverId: 1,
          image: "img",
          type: "on-demand",
          currency: "bitcoin",
          sshPassword: SECRET.repeat(3),
        }),
      );
      assert.equal(e.code, "CLORE_VALIDATION_FAILED");
      assert.deepEqual(
        e.issues.map((i: { path: string }) => i.path),
        ["sshPassword"],
      );
      assertNoSecret(e);
    });
  });
});
