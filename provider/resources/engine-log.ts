import { dirname } from "node:path";

/**
 * Progress messages from inside the dynamic-provider plugin to the engine's log, so a long
 * wait ("order 123: waiting for the ssh port, 40 s") shows in `pulumi up`. The plugin gets
 * the engine's address as its first argument but does not hand it to `pulumi.log`, so we
 * open our own client. Outside the plugin (tests, CLI) messages go to stderr.
 */
type Severity = "info" | "warning";

interface EngineLogger {
  log(severity: Severity, message: string): Promise<void>;
}

let logger: EngineLogger | undefined;

export function engineLog(severity: Severity, message: string): Promise<void> {
  logger ??= createLogger();
  return logger.log(severity, message).catch(() => undefined);
}

function createLogger(): EngineLogger {
  const addr = process.argv[2];
  const isPlugin = /pulumi-resource-pulumi-nodejs|dynamic-provider/.test(process.argv[1] ?? "") && /^[\w.-]+:\d+$/.test(addr ?? "");
  if (!isPlugin) return { log: async (sev, msg) => void process.stderr.write(`${sev}: ${msg}\n`) };
  // Resolve gRPC and the protos from the copy of @pulumi/pulumi the plugin runs on.
  const base = dirname(require.resolve("@pulumi/pulumi/package.json"));
  const grpc = require(require.resolve("@grpc/grpc-js", { paths: [base] }));
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
