import { readFileSync } from "node:fs";
import { Option } from "commander";
import { CURRENCIES, CreateOrderParams, ORDER_TYPES, issuesFromZod, type Order } from "../../sdk";
import { defineCommand } from "../command";
import type { CliContext } from "../context";
import { CliError, validationError } from "../errors";
import { duration, plural } from "../format";
import { orderFields, orderPrice, sshCommand } from "../order-view";
import { collect, positiveInt, positiveNumber } from "../parse";
import type { RecordResult } from "../render";

interface DeployOptions {
  image: string;
  type: (typeof ORDER_TYPES)[number];
  currency: (typeof CURRENCIES)[number];
  sshPassword?: string;
  sshKey?: string;
  port?: string[];
  env?: string[];
  spotPrice?: number;
  requiredPrice?: number;
  command?: string;
  jupyterToken?: string;
  wait: boolean;
  waitTimeout: number;
}

/** SDK parameter → the flag the user typed, for validation messages. */
const FLAGS: Record<string, string> = {
  serverId: "SERVER_ID",
  image: "--image",
  type: "--type",
  currency: "--currency",
  sshPassword: "--ssh-password",
  sshKey: "--ssh-key",
  ports: "--port",
  env: "--env",
  jupyterToken: "--jupyter-token",
  command: "--command",
  spotPrice: "--spot-price",
  requiredPrice: "--required-price",
};

/** `--port 22:tcp --port 8888:http` → `{ "22": "tcp", "8888": "http" }`. */
function parsePorts(values: string[] = []): Record<string, "tcp" | "http"> | undefined {
  if (!values.length) return undefined;
  const ports: Record<string, "tcp" | "http"> = {};
  for (const v of values) {
    const m = /^(\d{1,5}):(tcp|http)$/i.exec(v.trim());
    if (!m) {
      throw new CliError(`--port ${JSON.stringify(v)} is not PORT:PROTOCOL with PROTOCOL tcp or http.`, {
        hint: "Example: --port 22:tcp --port 8888:http",
      });
    }
    ports[m[1]] = m[2].toLowerCase() as "tcp" | "http";
  }
  return ports;
}

/** `--env A=1 --env B=x=y` → `{ A: "1", B: "x=y" }`. */
function parseEnv(values: string[] = []): Record<string, string> | undefined {
  if (!values.length) return undefined;
  const env: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf("=");
    if (eq <= 0) throw new CliError(`--env ${JSON.stringify(v)} is not KEY=VALUE.`, { hint: "Example: --env HF_TOKEN=hf_xxx --env MODEL=llama3" });
    env[v.slice(0, eq)] = v.slice(eq + 1);
  }
  return env;
}

/** `--ssh-key @~/.ssh/id_ed25519.pub` reads the file, so keys stay out of shell history. */
function readSshKey(value: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (value === undefined || !value.startsWith("@")) return value;
  const path = value.slice(1).replace(/^~(?=\/|$)/, env.HOME ?? "~");
  try {
    return readFileSync(path, "utf8").trim();
  } catch (e) {
    throw new CliError(`cannot read the SSH key file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`, {
      hint: "Pass the public key itself or @PATH to an existing .pub file.",
    });
  }
}

/** Time between my_orders polls while waiting (the rate limiter may stretch it). */
const POLL_MS = 2000;

function isReady(o: Order, wantSsh: boolean): boolean {
  return Boolean(o.pubHost) && (!wantSsh || o.sshPort !== undefined);
}

interface WaitOutcome {
  order: Order;
  ready: boolean;
  interrupted?: boolean;
}

/** Poll my_orders until the order has its public host (and SSH port when 22 is mapped). */
async function waitForEndpoints(ctx: CliContext, order: Order, wantSsh: boolean, timeoutS: number): Promise<WaitOutcome> {
  const started = Date.now();
  const deadline = started + timeoutS * 1000;
  const what = wantSsh ? "its host and SSH port" : "its host";
  const progress = ctx.output.progress(`Waiting for order ${order.id} to get ${what}…`);
  let interrupted = false;
  let wake: () => void = () => {};
  // Ctrl-C stops the wait, not the order: we still print it so its id is not lost.
  const onSigint = () => {
    interrupted = true;
    wake();
  };
  process.once("SIGINT", onSigint);
  let current = order;
  try {
    while (!isReady(current, wantSsh)) {
      const left = deadline - Date.now();
      if (left <= 0 || interrupted) break;
      // Not unref'd: this timer is what keeps the process alive while we wait.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(POLL_MS, left));
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      if (interrupted) break;
      const found = (await ctx.client().myOrders()).find((o) => o.id === order.id);
      if (!found) {
        throw new CliError(`order ${order.id} left your active orders while starting (cancelled, expired or outbid).`, {
          hint: `See what happened with "clore orders --completed".`,
        });
      }
      current = found;
      progress.update(`Waiting for order ${order.id} to get ${what}… (${current.status})`, duration((Date.now() - started) / 1000));
    }
  } catch (e) {
    progress.stop(); // clear the spinner line before the error is printed
    throw e;
  } finally {
    process.removeListener("SIGINT", onSigint);
  }
  const ready = isReady(current, wantSsh);
  progress.stop(ready ? `Order ${order.id} is ready after ${duration((Date.now() - started) / 1000)}.` : undefined);
  return { order: current, ready, interrupted };
}

export const deployCommand = defineCommand<DeployOptions>({
  name: "deploy",
  args: [{ syntax: "<server_id>", description: 'marketplace server id (see "clore search")', parse: positiveInt }],
  summary: "Rent a server (create an order)",
  description:
    "Rent marketplace server SERVER_ID. The API does not return the new order's id, so clore finds the order in your " +
    "order list, prints it, and then waits until it has a public host (and an SSH port when --port 22:tcp is given). " +
    "Prices are per day in --currency.",
  configure(cmd) {
    cmd
      .requiredOption("--image <image>", "Docker image to run (e.g. cloreai/ubuntu22.04-cuda12)")
      .addOption(new Option("--type <type>", "order type").choices(ORDER_TYPES).default("on-demand"))
      .addOption(new Option("--currency <currency>", "payment currency; must be one the server accepts").choices(CURRENCIES).makeOptionMandatory())
      .option("--ssh-password <password>", "root password for SSH (max 32 characters)")
      .option("--ssh-key <key>", "SSH public key, or @FILE to read it (e.g. @~/.ssh/id_ed25519.pub)")
      .option("--port <port:protocol>", "publish a container port, tcp or http; repeatable (e.g. --port 22:tcp --port 8888:http)", collect)
      .option("--env <KEY=VALUE>", "environment variable for the container; repeatable", collect)
      .option("--spot-price <price>", "bid per day in --currency units (required with --type spot)", positiveNumber)
      .option("--required-price <price>", "fail instead of renting if the price per day is not this", positiveNumber)
      .option("--command <script>", "startup shell command run in the container")
      .option("--jupyter-token <token>", "Jupyter access token")
      .option("--no-wait", "return as soon as the order exists; don't wait for its endpoints")
      .option("--wait-timeout <seconds>", "how long to wait for the endpoints", positiveInt, 600);
  },
  examples: [
    "clore deploy 41873 --image cloreai/ubuntu22.04-cuda12 --currency USD-Blockchain --port 22:tcp --ssh-key @~/.ssh/id_ed25519.pub",
    "clore deploy 41873 --image cloreai/jupyter:ubuntu24.04-v2 --currency CLORE-Blockchain --port 8888:http --jupyter-token secret --no-wait",
    "clore deploy 38811 --type spot --spot-price 800 --currency CLORE-Blockchain --image nvidia/cuda:12.4.1-runtime-ubuntu22.04",
  ],
  async run(ctx, args, o): Promise<RecordResult> {
    const serverId = args[0] as number;
    const given: CreateOrderParams = {
      serverId,
      image: o.image,
      type: o.type,
      currency: o.currency,
      sshPassword: o.sshPassword,
      sshKey: readSshKey(o.sshKey, ctx.env),
      ports: parsePorts(o.port),
      env: parseEnv(o.env),
      spotPrice: o.spotPrice,
      requiredPrice: o.requiredPrice,
      command: o.command,
      jupyterToken: o.jupyterToken,
    };
    // Unset flags are left out, not sent as undefined.
    const params = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) as CreateOrderParams;

    // Check everything before renting, with messages that name the flags.
    const checked = CreateOrderParams.safeParse(params);
    if (!checked.success) throw validationError("deploy", issuesFromZod(checked.error), (p) => FLAGS[p] ?? p);

    const progress = ctx.output.progress(`Renting server ${serverId}…`);
    let order: Order;
    try {
      order = await ctx.client().createOrder(params);
    } finally {
      progress.stop();
    }
    ctx.output.info(`Order ${order.id} created on server ${serverId} (${orderPrice(order)}, ${order.status}).`);

    const wantSsh = params.ports?.["22"] === "tcp";
    let outcome: WaitOutcome = { order, ready: isReady(order, wantSsh) };
    if (o.wait && !outcome.ready) outcome = await waitForEndpoints(ctx, order, wantSsh, o.waitTimeout);

    const final = outcome.order;
    const ssh = sshCommand(final);
    const notes = [
      ...(ssh ? [`Connect: ${ssh}`] : []),
      ...(!outcome.ready && !o.wait ? [`Check on it with: clore orders  (or clore ssh ${final.id} once it is running)`] : []),
      `Cancel: clore cancel ${final.id}`,
    ];
    const result: RecordResult = {
      kind: "record",
      json: final,
      title: outcome.ready ? `Order ${final.id} is ready on server ${serverId}.` : `Order ${final.id} created on server ${serverId}.`,
      fields: orderFields(final),
      notes,
    };
    if (o.wait && !outcome.ready) {
      result.partial = {
        message: outcome.interrupted
          ? `stopped waiting for order ${final.id}; it keeps running and billing.`
          : `order ${final.id} was created but did not get its endpoints within ${plural(o.waitTimeout, "second")}.`,
        items: [`order ${final.id} on server ${serverId}: ${final.status}`],
        hint: `Check it later with "clore orders", or cancel it with "clore cancel ${final.id}".`,
      };
    }
    return result;
  },
});
