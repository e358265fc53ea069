#!/usr/bin/env node
import { DEFAULT_OPTIONS, type EmulatorOptions, startEmulator } from "./index";

const HELP = `Usage: clore-emulator [options]

Runs a local Clore.ai API emulator on 127.0.0.1 until Ctrl-C (SIGINT/SIGTERM).

Options:
  --port <n>          TCP port, 0 = any free one (env: CLORE_EMULATOR_PORT, default 0)
  --host <addr>       interface (env: CLORE_EMULATOR_HOST, default 127.0.0.1)
  --time-scale <x>    real seconds per API second; 0.01 = 100x faster (env: CLORE_EMULATOR_TIME_SCALE, default 1)
  --api-key <key>     the demo key (env: CLORE_EMULATOR_API_KEY, default ${DEFAULT_OPTIONS.apiKey})
  --options <json>    any other option as JSON, e.g. '{"bootDelayMs":5000}' (env: CLORE_EMULATOR_OPTIONS)
  -h, --help          this help

Prints the base URL, the key and an "export CLORE_BASE_URL=… CLORE_API_KEY=…" line.

Examples:
  clore-emulator --port 8080 --time-scale 0.1
  curl -s -H "auth: ${DEFAULT_OPTIONS.apiKey}" http://127.0.0.1:8080/v1/wallets
  curl -s -X POST http://127.0.0.1:8080/_emulator/advance -d '{"ms":20000}'
See docs/emulator.md for options, faults and the /_emulator control routes.`;

interface Args {
  port?: number;
  host?: string;
  options: Partial<EmulatorOptions>;
}

function parseArgs(argv: string[], env: NodeJS.ProcessEnv): Args {
  const args: Args = { options: {} };
  const get = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    if (i < 0) return undefined;
    const v = argv[i + 1];
    if (v === undefined || v.startsWith("--")) fail(`${flag} needs a value`);
    return v;
  };
  const known = new Set(["--port", "--host", "--time-scale", "--api-key", "--options"]);
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "-h" || argv[i] === "--help") {
      console.log(HELP);
      process.exit(0);
    }
    if (!known.has(argv[i])) fail(`unknown argument ${JSON.stringify(argv[i])}`);
    i++;
  }
  const optionsJson = get("--options") ?? env.CLORE_EMULATOR_OPTIONS;
  if (optionsJson) {
    try {
      args.options = JSON.parse(optionsJson) as Partial<EmulatorOptions>;
    } catch (e) {
      fail(`--options is not valid JSON: ${(e as Error).message}`);
    }
  }
  const port = get("--port") ?? env.CLORE_EMULATOR_PORT;
  if (port !== undefined) {
    args.port = Number(port);
    if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535)
      fail(`--port must be 0-65535 (got ${port})`);
  }
  args.host = get("--host") ?? env.CLORE_EMULATOR_HOST;
  const scale = get("--time-scale") ?? env.CLORE_EMULATOR_TIME_SCALE;
  if (scale !== undefined) {
    args.options.timeScale = Number(scale);
    if (!(args.options.timeScale > 0)) fail(`--time-scale must be a number > 0 (got ${scale})`);
  }
  const key = get("--api-key") ?? env.CLORE_EMULATOR_API_KEY;
  if (key) args.options.apiKey = key;
  return args;
}

function fail(message: string): never {
  console.error(`clore-emulator: ${message}\nRun "clore-emulator --help" for usage.`);
  process.exit(1);
}

async function main(): Promise<void> {
  const { port, host, options } = parseArgs(process.argv.slice(2), process.env);
  const emu = await startEmulator({ ...options, port, host });
  console.log(`Clore emulator listening on ${emu.url}`);
  console.log(`API key: ${emu.apiKey}`);
  console.log(`export CLORE_BASE_URL=${emu.url} CLORE_API_KEY=${emu.apiKey}`);
  const stop = () => {
    emu.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((e: unknown) => {
  console.error(`clore-emulator: ${(e as Error).message ?? e}`);
  process.exit(1);
});
