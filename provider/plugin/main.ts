// First: V8 tuning shared with the dynamic-provider plugin (resources/plugin-heap.ts says why).
import "../resources/plugin-heap";

import * as grpc from "@grpc/grpc-js";
import { logToEngine } from "../resources/engine-log";
import { startServer } from "./server";

/**
 * `pulumi-resource-clore`: the engine starts it with its own address as the first argument
 * (after flags such as `--logtostderr` / `-v=9` when verbose), and reads the port we serve on
 * from the first line of stdout. scripts/release.sh bundles this file with esbuild and builds
 * the bundle into a Node single executable per platform: no Node on the user's machine.
 */
async function main(args: string[]): Promise<void> {
  const engine = args.find((a) => !a.startsWith("-"));
  if (engine) logToEngine(engine, grpc);
  const { port } = await startServer();
  process.stdout.write(`${port}\n`);
}

// A bug in one call must not take down the others (or an order's create in flight with it):
// report it to the engine's log and keep serving. Messages carry no secrets (STYLE.md).
for (const event of ["uncaughtException", "unhandledRejection"] as const) {
  process.on(event, (e: unknown) =>
    process.stderr.write(`pulumi-resource-clore: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`),
  );
}

main(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(`pulumi-resource-clore: could not start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
