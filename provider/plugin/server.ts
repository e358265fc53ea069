import { isDeepStrictEqual } from "node:util";
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { PluginInfo } from "@pulumi/pulumi/proto/plugin_pb";
import { ResourceProviderService } from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as pb from "@pulumi/pulumi/proto/provider_pb";
import { packageVersion } from "../sdk";
import { configure } from "../resources/runtime";
import type { CheckFailure } from "../resources/validation";
import { FUNCTION_IMPLEMENTATIONS, RESOURCE_IMPLEMENTATIONS, type ServedResource } from "./implementations";
import { packageSchema } from "./package-schema";
import { providerConfig } from "./provider-config";
import { fromStruct, grpcError, toStruct } from "./wire";

/**
 * The `clore` resource-provider plugin: Pulumi's provider gRPC protocol on the stubs
 * @pulumi/pulumi ships, each call mapped onto the implementation the dynamic providers use.
 * Our own server rather than `@pulumi/pulumi/provider`'s `main()`, which never passes the
 * Configure request (provider config) nor create/update/delete timeouts to the provider.
 *
 * Secrets: Configure answers acceptSecrets false, so the engine sends plain values and marks
 * outputs secret whose inputs were; we mark each resource's `secretOutputs` secret as well,
 * so a password given as a plain value is still encrypted in state. Methods not listed here
 * (Construct, Call, Parameterize, Handshake, …) answer UNIMPLEMENTED.
 */
function providerService(): grpc.UntypedServiceImplementation {
  let schema: string | undefined;
  return {
    getPluginInfo: unary(async () => new PluginInfo().setVersion(packageVersion())),

    getSchema: unary(async (req: pb.GetSchemaRequest) => {
      if (req.getVersion() !== 0) throw new Error(`unsupported schema version ${req.getVersion()}`);
      return new pb.GetSchemaResponse().setSchema((schema ??= JSON.stringify(packageSchema(packageVersion()))));
    }),

    checkConfig: unary(async (req: pb.CheckRequest) => new pb.CheckResponse().setInputs(req.getNews())),

    // A new key or base URL updates the provider in place: a replaced provider would replace
    // every order it manages.
    diffConfig: unary(async (req: pb.DiffRequest) => {
      const same = isDeepStrictEqual(fromStruct(req.getOlds()), fromStruct(req.getNews()));
      return new pb.DiffResponse().setChanges(
        same ? pb.DiffResponse.DiffChanges.DIFF_NONE : pb.DiffResponse.DiffChanges.DIFF_SOME,
      );
    }),

    configure: unary(async (req: pb.ConfigureRequest) => {
      configure(providerConfig(fromStruct(req.getArgs()), req.getVariablesMap()));
      return new pb.ConfigureResponse().setAcceptsecrets(false).setAcceptresources(false).setSupportspreview(false);
    }),

    check: resourceCall(async (req: pb.CheckRequest, { provider }) => {
      const news = fromStruct(req.getNews());
      const r = await provider.check(fromStruct(req.getOlds()), news);
      return new pb.CheckResponse().setInputs(toStruct(r.inputs ?? news)).setFailuresList(checkFailures(r.failures));
    }),

    diff: resourceCall(async (req: pb.DiffRequest, { provider }) => {
      const r = await provider.diff(req.getId(), fromStruct(req.getOlds()), fromStruct(req.getNews()));
      const changes = r.changes === undefined ? "DIFF_UNKNOWN" : r.changes ? "DIFF_SOME" : "DIFF_NONE";
      return new pb.DiffResponse()
        .setChanges(pb.DiffResponse.DiffChanges[changes])
        .setReplacesList(r.replaces ?? [])
        .setDeletebeforereplace(r.deleteBeforeReplace ?? false);
    }),

    create: resourceCall(async (req: pb.CreateRequest, { provider, spec }) => {
      const r = await provider.create(fromStruct(req.getProperties()), req.getUrn(), timeout(req));
      return new pb.CreateResponse().setId(r.id).setProperties(toStruct(r.outs, spec.secretOutputs));
    }),

    read: resourceCall(async (req: pb.ReadRequest, { provider, spec }) => {
      // A refresh sends the last outputs; a `get` by id sends only inputs (or nothing).
      let props = fromStruct(req.getProperties());
      if (!Object.keys(props).length) props = fromStruct(req.getInputs());
      const r = await provider.read(req.getId(), props);
      // No id: the resource is gone (an order that ended or was cancelled outside Pulumi).
      const resp = new pb.ReadResponse().setId(r.id ?? "");
      return r.props ? resp.setProperties(toStruct(r.props, spec.secretOutputs)) : resp;
    }),

    update: resourceCall(async (req: pb.UpdateRequest, { provider, spec }) => {
      const r = await provider.update(req.getId(), fromStruct(req.getOlds()), fromStruct(req.getNews()), timeout(req));
      return new pb.UpdateResponse().setProperties(toStruct(r.outs, spec.secretOutputs));
    }),

    delete: resourceCall(async (req: pb.DeleteRequest, { provider }) => {
      await withDeadline(
        provider.delete(req.getId(), fromStruct(req.getProperties())),
        timeout(req).timeoutS,
        req.getId(),
      );
      return new Empty();
    }),

    invoke: unary(async (req: pb.InvokeRequest) => {
      const invoke = FUNCTION_IMPLEMENTATIONS.get(req.getTok());
      if (!invoke)
        throw new Error(
          `unknown function ${req.getTok()}; this plugin serves ${[...FUNCTION_IMPLEMENTATIONS.keys()].join(", ")}`,
        );
      const r = await invoke(fromStruct(req.getArgs()));
      return new pb.InvokeResponse().setReturn(toStruct(r.outputs ?? {})).setFailuresList(checkFailures(r.failures));
    }),

    // Nothing to stop early: every call ends on its own within its timeouts.
    cancel: unary(async () => new Empty()),
  };
}

/** A gRPC server on 127.0.0.1 and a free port, serving the provider. */
export async function startServer(): Promise<{ server: grpc.Server; port: number }> {
  const server = new grpc.Server();
  server.addService(ResourceProviderService, providerService());
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  return { server, port };
}

type Unary = (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => void;

function unary<Req>(
  handle: (req: Req) => Promise<unknown>,
  secretsOf: (req: Req) => readonly string[] = () => [],
): Unary {
  return (call, callback) => {
    const req = call.request as Req;
    handle(req).then(
      (res) => callback(null, res),
      (e: unknown) => callback(grpcError(e, secretsOf(req))),
    );
  };
}

interface ResourceRequest {
  getUrn(): string;
}

/** A call on one resource: found by the type in its URN (…::clore:index:Order::name). */
function resourceCall<Req extends ResourceRequest>(
  handle: (req: Req, resource: ServedResource) => Promise<unknown>,
): Unary {
  return unary<Req>(
    async (req) => handle(req, served(req)),
    (req) => RESOURCE_IMPLEMENTATIONS.get(typeOf(req))?.spec.secretOutputs ?? [],
  );
}

function typeOf(req: ResourceRequest): string {
  return req.getUrn().split("::")[2]?.split("$").pop() ?? "";
}

function served(req: ResourceRequest): ServedResource {
  const resource = RESOURCE_IMPLEMENTATIONS.get(typeOf(req));
  if (!resource)
    throw new Error(
      `unknown resource type ${typeOf(req)}; this plugin serves ${[...RESOURCE_IMPLEMENTATIONS.keys()].join(", ")}`,
    );
  return resource;
}

function checkFailures(failures: CheckFailure[] = []): pb.CheckFailure[] {
  return failures.map((f) => new pb.CheckFailure().setProperty(f.property).setReason(f.reason));
}

/** customTimeouts of the operation, seconds (the engine sends 0 when none was set). */
function timeout(req: { getTimeout(): number }): { timeoutS?: number } {
  return req.getTimeout() > 0 ? { timeoutS: req.getTimeout() } : {};
}

/** customTimeouts.delete: a delete still running then fails, and the resource stays in state. */
async function withDeadline(work: Promise<unknown>, timeoutS: number | undefined, id: string): Promise<void> {
  if (!timeoutS) return void (await work);
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(
            `deleting ${id} did not finish within customTimeouts.delete (${timeoutS} s); it stays in the stack (an order may still bill you). Run \`pulumi destroy\` again.`,
          ),
        ),
      timeoutS * 1000,
    );
  });
  try {
    await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}
