import * as grpc from "@grpc/grpc-js";
import { Any } from "google-protobuf/google/protobuf/any_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { ErrorResourceInitFailed } from "@pulumi/pulumi/proto/provider_pb";
import { Status } from "@pulumi/pulumi/proto/status_pb";
import { plainData } from "../resources/plain-data";

/**
 * Property values as the engine sends and takes them (protobuf Structs), and errors as gRPC
 * statuses. Secrets travel as objects tagged with the two magic strings below
 * (pulumi/pulumi sdk/nodejs/runtime/rpc.ts, `specialSigKey` / `specialSecretSig`).
 */
export type Props = Record<string, unknown>;

const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

function isSecret(v: unknown): v is { value: unknown } {
  return typeof v === "object" && v !== null && (v as Props)[SIG_KEY] === SECRET_SIG;
}

/** A Struct as plain values, secrets unwrapped (only Configure sends them: we do not accept secrets). */
export function fromStruct(s: Struct | undefined): Props {
  return unwrap(s?.toJavaScript() ?? {}) as Props;
}

function unwrap(v: unknown): unknown {
  if (isSecret(v)) return unwrap(v.value);
  if (Array.isArray(v)) return v.map(unwrap);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unwrap(x)]));
  return v;
}

/** Plain values as a Struct, `secret` keys marked secret (undefined values dropped). */
export function toStruct(props: Props, secret: readonly string[] = []): Struct {
  const data = plainData(props);
  for (const key of secret)
    if (data[key] !== undefined && data[key] !== null) data[key] = { [SIG_KEY]: SECRET_SIG, value: data[key] };
  return Struct.fromJavaScript(data as Parameters<typeof Struct.fromJavaScript>[0]);
}

/** A failure after something was created: the engine keeps `id` and `properties` in state. */
interface PartialFailure {
  id: string;
  properties: Props;
  reasons?: string[];
}

function isPartialFailure(e: unknown): e is Error & PartialFailure {
  return (
    e instanceof Error &&
    typeof (e as Partial<PartialFailure>).id === "string" &&
    typeof (e as Partial<PartialFailure>).properties === "object"
  );
}

/**
 * An error as the gRPC status the engine reads. A partial failure (ResourceInitError: the
 * order exists but never became ready) carries its id and properties as
 * ErrorResourceInitFailed details, so the order lands in state instead of being lost.
 */
export function grpcError(e: unknown, secret: readonly string[] = []): Partial<grpc.StatusObject> {
  const message = e instanceof Error ? e.message : String(e);
  const metadata = new grpc.Metadata();
  if (isPartialFailure(e)) {
    const detail = new ErrorResourceInitFailed();
    detail.setId(e.id);
    detail.setProperties(toStruct(e.properties, secret));
    detail.setReasonsList(e.reasons ?? [message]);
    const any = new Any();
    any.pack(detail.serializeBinary(), "pulumirpc.ErrorResourceInitFailed");
    const status = new Status();
    status.setCode(grpc.status.UNKNOWN);
    status.setMessage(message);
    status.addDetails(any);
    // grpc-js sends this trailer as is; the engine decodes the details from it.
    metadata.add("grpc-status-details-bin", Buffer.from(status.serializeBinary()));
  }
  return { code: grpc.status.UNKNOWN, details: message, metadata };
}
