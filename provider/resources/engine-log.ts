import { dirname } from "node:path";

/**
 * Progress messages from inside a provider plugin to the engine's log, so a long wait
 * ("order 123: waiting for the ssh port, 40 s") shows in `pulumi up`. Both plugins get the
 * engine's address as their first argument: the dynamic-provider host does not hand it to
 * `pulumi.log`, so we open our own client; our resource-provider plugin calls `logToEngine`.
 * Outside a plugin (tests, CLI) messages go to stderr.
 */
type Severity = "info" | "warning";

interface EngineLogger {
  log(severity: Severity, message: string): Promise<void>;
}

/** The parts of @grpc/grpc-js a logger needs (the caller passes its own copy of the module). */
interface Grpc {
  credentials: { createInsecure(): unknown };
}

let logger: EngineLogger | undefined;

export function engineLog(severity: Severity, message: string): Promise<void> {
  logger ??= defaultLogger();
  return logger.log(severity, message).catch(() => undefined);
}

/** The resource-provider plugin: send messages to the engine at `addr`. */
export function logToEngine(addr: string, grpc: Grpc): void {
  pluginProcess = true;
  logger = grpcLogger(addr, grpc);
}

/** Whether this process is a provider plugin the engine started (ours, or the dynamic-provider host). */
export function inPlugin(): boolean {
  return pluginProcess || isDynamicPlugin();
}
let pluginProcess = false;

function isDynamicPlugin(): boolean {
  return (
    /pulumi-resource-pulumi-nodejs|dynamic-provider/.test(process.argv[1] ?? "") &&
    /^[\w.-]+:\d+$/.test(process.argv[2] ?? "")
  );
}

function defaultLogger(): EngineLogger {
  const addr = process.argv[2];
  if (!isDynamicPlugin()) return { log: async (sev, msg) => void process.stderr.write(`${sev}: ${msg}\n`) };
  // Resolve gRPC from the copy of @pulumi/pulumi the plugin runs on (its protos use that copy).
  const base = dirname(require.resolve("@pulumi/pulumi/package.json"));
  return grpcLogger(addr!, require(require.resolve("@grpc/grpc-js", { paths: [base] })));
}

function grpcLogger(addr: string, grpc: Grpc): EngineLogger {
  const enginePb = require("@pulumi/pulumi/proto/engine_pb");
  const engineRpc = require("@pulumi/pulumi/proto/engine_grpc_pb");
  const client = new engineRpc.EngineClient(addr, grpc.credentials.createInsecure());
  return {
    log: (sev, msg) =>
      new Promise<void>((resolve) => {
        const req = new enginePb.LogRequest();
        req.setSeverity(sev === "warning" ? enginePb.LogSeverity.WARNING : enginePb.LogSeverity.INFO);
        req.setMessage(msg);
        client.log(req, () => resolve());
      }),
  };
}
