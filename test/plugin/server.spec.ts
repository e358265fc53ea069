import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import type { PluginInfo } from "@pulumi/pulumi/proto/plugin_pb";
import { ResourceProviderClient } from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as pb from "@pulumi/pulumi/proto/provider_pb";
import { Status } from "@pulumi/pulumi/proto/status_pb";
import { scratchDir } from "../helpers/scratch-dir";
import type { Emulator } from "../../provider/emulator";
import { startServer } from "../../provider/plugin/server";
import { keyFingerprint, packageVersion } from "../../provider/sdk";
import { FAST_ENV, USD_SERVERS, startFastEmulator } from "../reliability/helpers";

/**
 * The plugin's gRPC server in this process, driven the way the engine drives it (no engine):
 * each request reaches the shared implementation and comes back in the protocol's terms.
 */
const SIG = "4dabf18193072939515e22adb298388d";
const secret = (value: unknown) => ({ [SIG]: "1b47061264138c4ac30d75fd1eb44270", value });
const urn = (type: string, name = "o1") => `urn:pulumi:test::proj::${type}::${name}`;
const ORDER = urn("clore:index:Order");
const struct = (o: object) => Struct.fromJavaScript(o as Parameters<typeof Struct.fromJavaScript>[0]);

describe("the plugin's gRPC server maps each request onto the implementation", function () {
  this.timeout(60_000);
  let emu: Emulator;
  let server: grpc.Server;
  let client: ResourceProviderClient;
  let scratch: string;
  /** The variables this suite sets, with their values before it (restored after it). */
  let savedEnv: Record<string, string | undefined> = {};

  /** One unary call, promisified: resolves with the response or rejects with the ServiceError. */
  function call<Req, Res>(method: string, req: Req): Promise<Res> {
    return new Promise((resolve, reject) =>
      (client as unknown as Record<string, (r: Req, cb: (e: grpc.ServiceError | null, res: Res) => void) => void>)[
        method
      ]!.call(client, req, (e, res) => (e ? reject(e) : resolve(res))),
    );
  }

  const create = (props: object, timeout = 0) =>
    call<pb.CreateRequest, pb.CreateResponse>(
      "create",
      new pb.CreateRequest().setUrn(ORDER).setProperties(struct(props)).setTimeout(timeout),
    );
  const order = (serverId: number) => ({
    serverId,
    image: "cloreai/ubuntu22.04-cuda12",
    currency: "USD-Blockchain",
    type: "on-demand",
    ports: { "22": "tcp" },
    waitForReady: true,
    readyTimeout: 60,
  });

  before(async () => {
    emu = await startFastEmulator({ apiKey: "plugin-key-a" });
    scratch = scratchDir("plugin-server");
    // The key must come from Configure, not from the environment.
    const env: Record<string, string> = {
      ...FAST_ENV,
      CLORE_API_KEY: "",
      CLORE_RATE_LIMIT_DIR: join(scratch, "ledger"),
      CLORE_CREATES_DIR: join(scratch, "creates"),
      CLORE_CACHE_DIR: join(scratch, "cache"),
    };
    savedEnv = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env);
    let port: number;
    ({ server, port } = await startServer());
    client = new ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  });
  after(async () => {
    client?.close();
    server?.forceShutdown();
    await emu?.close();
    for (const [k, v] of Object.entries(savedEnv)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });
  beforeEach(() => {
    emu.options.bootDelayMs = 0;
    emu.faults.clear();
  });

  it("reports the package's version and serves the package schema", async () => {
    const info = await call<Empty, PluginInfo>("getPluginInfo", new Empty());
    assert.equal(info.getVersion(), packageVersion());
    const res = await call<pb.GetSchemaRequest, pb.GetSchemaResponse>("getSchema", new pb.GetSchemaRequest());
    const schema = JSON.parse(res.getSchema());
    assert.equal(schema.name, "clore");
    assert.equal(schema.version, packageVersion());
  });

  /** The keys (fingerprints) the API saw during one getMarketplace invoke. */
  async function keysSeenByInvoke(): Promise<string[]> {
    const from = emu.requests.length;
    await call(
      "invoke",
      new pb.InvokeRequest().setTok("clore:index:getMarketplace").setArgs(struct({ cacheTtlSeconds: 0 })),
    );
    return [...new Set(emu.requests.slice(from).map((r) => r.keyFingerprint))];
  }

  it("takes the key from Configure's (secret) apiKey and asks the engine for plain values", async () => {
    const req = new pb.ConfigureRequest().setArgs(
      struct({ apiKey: secret("plugin-key-a"), baseUrl: emu.url, version: "0.1.0" }),
    );
    const res = await call<pb.ConfigureRequest, pb.ConfigureResponse>("configure", req);
    assert.equal(res.getAcceptsecrets(), false);
    assert.equal(res.getAcceptresources(), false);
    assert.deepEqual(await keysSeenByInvoke(), [keyFingerprint("plugin-key-a")]);
  });

  it("falls back to the variables older engines send (clore:config:apiKey)", async () => {
    const req = new pb.ConfigureRequest();
    req.getVariablesMap().set("clore:config:apiKey", "plugin-key-a").set("clore:config:baseUrl", emu.url);
    await call("configure", req);
    assert.deepEqual(await keysSeenByInvoke(), [keyFingerprint("plugin-key-a")]);
  });

  it("never replaces the provider for a new key or base URL", async () => {
    const req = new pb.DiffRequest()
      .setOlds(struct({ apiKey: "a", baseUrl: emu.url }))
      .setNews(struct({ apiKey: "b", baseUrl: emu.url }));
    const res = await call<pb.DiffRequest, pb.DiffResponse>("diffConfig", req);
    assert.equal(res.getChanges(), pb.DiffResponse.DiffChanges.DIFF_SOME);
    assert.deepEqual(res.getReplacesList(), []);
  });

  it("checks inputs without an API call: failures name the property, defaults are filled in", async () => {
    const from = emu.requests.length;
    const bad = await call<pb.CheckRequest, pb.CheckResponse>(
      "check",
      new pb.CheckRequest()
        .setUrn(ORDER)
        .setOlds(struct({}))
        .setNews(struct({ serverId: 1, image: "two words", currency: "EUR" })),
    );
    assert.deepEqual(
      bad
        .getFailuresList()
        .map((f) => f.getProperty())
        .sort(),
      ["currency", "image"],
    );
    const good = await call<pb.CheckRequest, pb.CheckResponse>(
      "check",
      new pb.CheckRequest()
        .setUrn(ORDER)
        .setOlds(struct({}))
        .setNews(struct({ serverId: 1, image: "x", currency: "USD-Blockchain" })),
    );
    assert.deepEqual(good.getFailuresList(), []);
    assert.deepEqual(good.getInputs()!.toJavaScript(), {
      serverId: 1,
      image: "x",
      currency: "USD-Blockchain",
      type: "on-demand",
      waitForReady: true,
      readyTimeout: 600,
    });
    assert.equal(emu.requests.length, from);
  });

  it("serves getMarketplace as an invoke; bad arguments come back as failures", async () => {
    const res = await call<pb.InvokeRequest, pb.InvokeResponse>(
      "invoke",
      new pb.InvokeRequest()
        .setTok("clore:index:getMarketplace")
        .setArgs(struct({ currency: "USD-Blockchain", limit: 2 })),
    );
    const out = res.getReturn()!.toJavaScript() as { servers: unknown[]; cheapest: { id: number; currency: string } };
    assert.equal(out.servers.length, 2);
    assert.equal(out.cheapest.currency, "USD-Blockchain");
    const bad = await call<pb.InvokeRequest, pb.InvokeResponse>(
      "invoke",
      new pb.InvokeRequest().setTok("clore:index:getMarketplace").setArgs(struct({ sort: "cheapest" })),
    );
    assert.deepEqual(
      bad.getFailuresList().map((f) => f.getProperty()),
      ["sort"],
    );
  });

  it("creates, reads, diffs and deletes an order; secret inputs come back marked secret", async () => {
    const created = await create({ ...order(USD_SERVERS[0]), sshPassword: "pw-plain" });
    const id = created.getId();
    const outs = created.getProperties()!.toJavaScript() as Record<string, unknown>;
    assert.deepEqual(outs.sshPassword, secret("pw-plain"));
    assert.equal(outs.status, "running");
    assert.deepEqual(
      emu.activeOrders().map((o) => String(o.id)),
      [id],
    );

    const read = await call<pb.ReadRequest, pb.ReadResponse>(
      "read",
      new pb.ReadRequest().setId(id).setUrn(ORDER).setProperties(struct(outs)),
    );
    assert.equal(read.getId(), id);
    const diff = await call<pb.DiffRequest, pb.DiffResponse>(
      "diff",
      new pb.DiffRequest()
        .setId(id)
        .setUrn(ORDER)
        .setOlds(struct(outs))
        .setNews(struct({ ...order(USD_SERVERS[0]), sshPassword: "pw-plain", image: "other/image" })),
    );
    assert.equal(diff.getChanges(), pb.DiffResponse.DiffChanges.DIFF_SOME);
    assert.deepEqual(diff.getReplacesList(), ["image"]);

    await call("delete", new pb.DeleteRequest().setId(id).setUrn(ORDER).setProperties(struct(outs)));
    assert.deepEqual(emu.activeOrders(), []);
    const gone = await call<pb.ReadRequest, pb.ReadResponse>(
      "read",
      new pb.ReadRequest().setId(id).setUrn(ORDER).setProperties(struct(outs)),
    );
    assert.equal(gone.getId(), "", "an order cancelled is reported gone");
  });

  it("bounds the ready wait by the create timeout and keeps the order id in the partial-failure details", async () => {
    emu.options.bootDelayMs = 3_600_000;
    const started = Date.now();
    const e = (await create(order(USD_SERVERS[1]), 1).then(
      () => assert.fail("create succeeded"),
      (err: grpc.ServiceError) => err,
    )) as grpc.ServiceError;
    assert.ok(Date.now() - started < 15_000, `took ${Date.now() - started} ms`);
    assert.match(e.details, /not ready after 1 s.*customTimeouts/);
    const status = Status.deserializeBinary(e.metadata.get("grpc-status-details-bin")[0] as Buffer);
    const detail = status
      .getDetailsList()[0]!
      .unpack(pb.ErrorResourceInitFailed.deserializeBinary, "pulumirpc.ErrorResourceInitFailed")!;
    const active = emu.activeOrders().find((o) => o.serverId === USD_SERVERS[1]);
    assert.equal(detail.getId(), String(active!.id));
    assert.equal((detail.getProperties()!.toJavaScript() as { orderId: number }).orderId, active!.id);
    await call(
      "delete",
      new pb.DeleteRequest().setId(detail.getId()).setUrn(ORDER).setProperties(detail.getProperties()),
    );
    assert.deepEqual(emu.activeOrders(), []);
  });

  it("fails a delete that outlasts its timeout, naming the order", async () => {
    const created = await create(order(USD_SERVERS[2]));
    emu.faults.inject({ endpoint: "*", kind: "delay", delayMs: 2000 });
    const req = new pb.DeleteRequest()
      .setId(created.getId())
      .setUrn(ORDER)
      .setProperties(created.getProperties())
      .setTimeout(1);
    await assert.rejects(call("delete", req), (e: grpc.ServiceError) =>
      e.details.includes(`deleting ${created.getId()} did not finish within customTimeouts.delete (1 s)`),
    );
    // Deleting again succeeds, whichever of the two cancels reached the order first.
    await call("delete", req.setTimeout(0));
    assert.deepEqual(emu.activeOrders(), []);
  });

  it("fails check (preview) on a malformed clore:rateLimitStore, naming it, before any API call", async () => {
    const configure = (args: object) =>
      call<pb.ConfigureRequest, pb.ConfigureResponse>("configure", new pb.ConfigureRequest().setArgs(struct(args)));
    await configure({ apiKey: "plugin-key-store", baseUrl: emu.url, rateLimitStore: "redis//127.0.0.1:6379" });
    const from = emu.requests.length;
    try {
      await assert.rejects(
        call(
          "check",
          new pb.CheckRequest()
            .setUrn(ORDER)
            .setOlds(struct({}))
            .setNews(struct({ serverId: 1, image: "x", currency: "USD-Blockchain" })),
        ),
        (e: grpc.ServiceError) => /clore:rateLimitStore: expected "file", "memory" or a Redis URL/.test(e.details),
      );
      assert.equal(emu.requests.length, from);
    } finally {
      await configure({ apiKey: "plugin-key-a", baseUrl: emu.url });
    }
  });

  it("fails check (preview) on a malformed clore:events, naming it, before any API call", async () => {
    const configure = (args: object) =>
      call<pb.ConfigureRequest, pb.ConfigureResponse>("configure", new pb.ConfigureRequest().setArgs(struct(args)));
    await configure({ apiKey: "plugin-key-events", baseUrl: emu.url, events: "stdout,ftp://hooks.example/x" });
    const from = emu.requests.length;
    try {
      await assert.rejects(
        call(
          "check",
          new pb.CheckRequest()
            .setUrn(ORDER)
            .setOlds(struct({}))
            .setNews(struct({ serverId: 1, image: "x", currency: "USD-Blockchain" })),
        ),
        (e: grpc.ServiceError) =>
          /clore:events: expected stdout, file:\/path or an http\(s\):\/\/ webhook URL/.test(e.details),
      );
      assert.equal(emu.requests.length, from);
    } finally {
      await configure({ apiKey: "plugin-key-a", baseUrl: emu.url });
    }
  });

  it("names what it serves for an unknown resource type or function; other methods are UNIMPLEMENTED", async () => {
    await assert.rejects(
      call("check", new pb.CheckRequest().setUrn(urn("clore:index:Nope")).setNews(struct({}))),
      (e: grpc.ServiceError) =>
        /unknown resource type clore:index:Nope; this plugin serves clore:index:Order, clore:index:ServerSettings/.test(
          e.details,
        ),
    );
    await assert.rejects(call("invoke", new pb.InvokeRequest().setTok("clore:index:nope")), (e: grpc.ServiceError) =>
      /unknown function clore:index:nope/.test(e.details),
    );
    await assert.rejects(
      call("construct", new pb.ConstructRequest()),
      (e: grpc.ServiceError) => e.code === grpc.status.UNIMPLEMENTED,
    );
  });
});
