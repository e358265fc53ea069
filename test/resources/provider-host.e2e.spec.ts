import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as pulumi from "@pulumi/pulumi";
import { shimFor } from "../../provider/resources/shim";
import { isolatedClient, useEmulator } from "../helpers/emulator";

// The dynamic-provider host and its protos, exactly as the engine runs them.
const provrpc = require("@pulumi/pulumi/proto/provider_grpc_pb");
const provproto = require("@pulumi/pulumi/proto/provider_pb");
const structproto = require("google-protobuf/google/protobuf/struct_pb");

const REPO = resolve(__dirname, "../..");
const HOST = resolve(REPO, "node_modules/@pulumi/pulumi/cmd/dynamic-provider/index.js");
const URN = "urn:pulumi:test::proj::pulumi-nodejs:dynamic/clore:Order::gpu";

function call<T>(client: any, method: string, req: unknown): Promise<T> {
  return new Promise((ok, fail) => client[method](req, (err: Error | null, res: T) => (err ? fail(err) : ok(res))));
}
const struct = (o: object) => structproto.Struct.fromJavaScript(o);

describe("dynamic-provider host over gRPC", function () {
  this.timeout(60_000);
  const emu = useEmulator({ port: 0, timeScale: 0.02 });
  let host: ChildProcess;
  let client: any;
  let providerText: string;
  let hostLog = "";
  let serverId: number;

  before(async () => {
    if (
      !existsSync(resolve(REPO, "dist/provider/resources/dynamic.js")) ||
      !existsSync(resolve(REPO, "node_modules/pulumi-clore"))
    ) {
      throw new Error("build first: npm run build && node scripts/link-self.js (the test command does both)");
    }
    await using sdk = isolatedClient(emu, { limits: { minIntervalMs: 25 } });
    serverId = (await sdk.marketplace({})).find(
      (s) => s.allowed_coins?.includes("USD-Blockchain") && s.owner !== 2911,
    )!.id;
    providerText = (await pulumi.runtime.serializeFunction(() => shimFor("order"))).text;
    host = spawn(process.execPath, [HOST, "127.0.0.1:1"], {
      cwd: REPO,
      env: {
        ...process.env,
        CLORE_API_KEY: "",
        CLORE_MIN_INTERVAL_MS: "25",
        CLORE_CREATE_INTERVAL_MS: "120",
        CLORE_RATE_LIMIT_SHARED: "0",
      },
    });
    host.stderr!.on("data", (d) => (hostLog += d));
    const port = await new Promise<string>((ok, fail) => {
      host.stdout!.once("data", (d) => ok(String(d).trim()));
      host.once("exit", (c) => fail(new Error(`provider host exited ${c}: ${hostLog}`)));
    });
    client = new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const configure = new provproto.ConfigureRequest();
    configure.setArgs(struct({ "clore:apiKey": emu.apiKey, "clore:baseUrl": emu.url }));
    await call(client, "configure", configure);
  });

  after(async () => {
    client?.close();
    host?.kill();
  });

  const inputs = () => ({
    __provider: providerText,
    serverId,
    image: "cloreai/ubuntu22.04-cuda12",
    currency: "USD-Blockchain",
    ports: { "22": "tcp" },
    sshPassword: "hunter2hunter2",
    readyTimeout: 30,
  });

  it("rejects bad inputs in Check without calling the API", async () => {
    const before = emu.requests.length;
    const req = new provproto.CheckRequest();
    req.setUrn(URN);
    req.setOlds(struct({}));
    req.setNews(struct({ ...inputs(), currency: "dogecoin", ports: { "99999": "tcp" } }));
    const res: any = await call(client, "check", req);
    const failures = res.getFailuresList().map((f: any) => [f.getProperty(), f.getReason()]);
    assert.deepEqual(failures.map((f: string[]) => f[0]).sort(), ["currency", "ports.99999"]);
    assert.equal(emu.requests.length, before, "Check made an API call");
  });

  it("creates, reads and deletes an order through the real host", async () => {
    const create = new provproto.CreateRequest();
    create.setUrn(URN);
    create.setProperties(struct(inputs()));
    const created: any = await call(client, "create", create);
    const id = created.getId();
    const props = created.getProperties().toJavaScript();
    assert.equal(String(props.orderId), id);
    assert.match(props.sshCommand, /^ssh root@\S+ -p \d+$/);
    assert.ok(emu.activeOrders().some((o: any) => String(o.id) === id));
    assert.ok(!JSON.stringify(props).includes(emu.apiKey), "the API key reached the resource's properties");

    const read = new provproto.ReadRequest();
    read.setId(id);
    read.setUrn(URN);
    read.setProperties(struct(props));
    const r: any = await call(client, "read", read);
    assert.equal(r.getId(), id);

    const del = new provproto.DeleteRequest();
    del.setId(id);
    del.setUrn(URN);
    del.setProperties(struct(props));
    await call(client, "delete", del);
    assert.equal(emu.activeOrders().length, 0);
    assert.ok(!hostLog.includes(emu.apiKey), "the API key reached the host's log");
  });
});
