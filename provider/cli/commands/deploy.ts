import { readFileSync } from "node:fs";
import { z } from "zod";
import { Option } from "commander";
import {
  CREATE_ORDER_FIELDS,
  type CreateOrderField,
  CreateOrderParams,
  type Order,
  OrderEndedError,
  OrderNotFoundError,
  ReadyTimeoutError,
  type ValidationIssue,
  issuesFromZod,
  waitUntilReady,
} from "../../sdk";
import { defineCommand } from "../command";
import type { CliContext } from "../context";
import { CliError, validationError } from "../errors";
import { duration, plural } from "../format";
import { orderFields, orderPrice, sshCommand } from "../order-view";
import { collect, positiveInt } from "../parse";
import type { RecordResult } from "../render";

/**
 * deploy's flags are create_order's fields (sdk/order-fields.ts): `--kebab-name <value>`
 * with the field's description and choices. This table holds only what the command line
 * does differently: the server id is the positional argument, ports and env are repeatable
 * `PORT:PROTOCOL` / `KEY=VALUE` pairs, a key can be read from a file, type defaults to
 * on-demand.
 */
interface FlagSyntax {
  flag?: string;
  help?: string;
  repeatable?: boolean;
  defaultValue?: string;
}
const SYNTAX: Partial<Record<CreateOrderField, FlagSyntax | "positional">> = {
  serverId: "positional",
  type: { defaultValue: "on-demand" },
  ports: {
    flag: "--port <port:protocol>",
    repeatable: true,
    help: "publish a container port, tcp or http; repeatable (e.g. --port 22:tcp --port 8888:http)",
  },
  env: { flag: "--env <KEY=VALUE>", repeatable: true, help: "environment variable for the container; repeatable" },
  sshKey: { help: "SSH public key, or @FILE to read it (e.g. @~/.ssh/id_ed25519.pub)" },
  spotPrice: { help: "bid per day in --currency units (required with --type spot)" },
  requiredPrice: { help: "fail instead of renting if the price per day is not this" },
};

const kebab = (k: string) => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const flagName = (k: CreateOrderField) => `--${kebab(k)}`;
const syntaxOf = (k: CreateOrderField) =>
  SYNTAX[k] === "positional" ? undefined : ((SYNTAX[k] as FlagSyntax | undefined) ?? {});
/** The option key commander stores a flag's value under. */
const optionKey = (k: CreateOrderField) => (k === "ports" ? "port" : k);

function inner(s: z.ZodType): z.ZodType {
  return s instanceof z.ZodOptional || s instanceof z.ZodDefault ? inner(s.unwrap() as z.ZodType) : s;
}

/** One commander option per create_order field, from its schema. */
function optionFor(k: CreateOrderField): Option | undefined {
  const syntax = syntaxOf(k);
  if (!syntax) return undefined;
  const schema = CREATE_ORDER_FIELDS[k].schema;
  const base = inner(schema);
  const isBool = base instanceof z.ZodBoolean;
  const placeholder = kebab(k).split("-").at(-1);
  const description = syntax.help ?? (z.globalRegistry.get(schema) ?? z.globalRegistry.get(base))?.description ?? "";
  const opt = new Option(
    syntax.flag ?? `${flagName(k)}${isBool ? "" : ` <${placeholder}>`}`,
    description.replace(/\.$/, ""),
  );
  // Choices show in --help; the value is checked with every other flag at once (see run).
  if (base instanceof z.ZodEnum) opt.choices(base.options as string[]).argParser((v) => v);
  if (syntax.repeatable) opt.argParser(collect);
  if (base instanceof z.ZodNumber) opt.argParser((v) => (v.trim() === "" ? Number.NaN : Number(v)));
  if (syntax.defaultValue !== undefined) opt.default(syntax.defaultValue);
  else if (!(schema instanceof z.ZodOptional)) opt.makeOptionMandatory();
  return opt;
}

type Options = Record<string, unknown> & { wait: boolean; waitTimeout: number };

/** The flags as create_order parameters, with every problem found (bad pairs and schema issues) at once. */
function paramsFrom(
  serverId: number,
  o: Options,
  env: NodeJS.ProcessEnv,
): { params: CreateOrderParams; issues: ValidationIssue[] } {
  const issues: ValidationIssue[] = [];
  const given: Record<string, unknown> = { serverId };
  for (const k of Object.keys(CREATE_ORDER_FIELDS) as CreateOrderField[]) {
    const v = o[optionKey(k)];
    if (v !== undefined && k !== "serverId") given[k] = v;
  }
  if (given.ports)
    given.ports = pairs(
      given.ports as string[],
      /^(\d{1,5}):([a-zA-Z]+)$/,
      "ports",
      "is not PORT:PROTOCOL with PROTOCOL tcp or http (e.g. 22:tcp)",
      issues,
      (p) => p.toLowerCase(),
    );
  if (given.env)
    given.env = pairs(
      given.env as string[],
      /^([^=]+)=([\s\S]*)$/,
      "env",
      "is not KEY=VALUE (e.g. HF_TOKEN=hf_xxx)",
      issues,
    );
  if (typeof given.sshKey === "string") given.sshKey = readSshKey(given.sshKey, env);
  const checked = CreateOrderParams.safeParse(given, { reportInput: true });
  if (!checked.success) issues.push(...issuesFromZod(checked.error, { schema: CreateOrderParams }));
  return { params: given as CreateOrderParams, issues };
}

/** `--port 22:tcp` / `--env A=1` pairs → a record; a malformed pair is an issue at its flag. */
function pairs(
  values: string[],
  re: RegExp,
  path: string,
  message: string,
  issues: ValidationIssue[],
  value = (v: string) => v,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of values) {
    const m = re.exec(raw);
    if (m) out[m[1]!] = value(m[2]!);
    else issues.push({ path: `${path}.${raw}`, message });
  }
  return out;
}

/** `--ssh-key @~/.ssh/id_ed25519.pub` reads the file, so keys stay out of shell history. */
function readSshKey(value: string, env: NodeJS.ProcessEnv): string {
  if (!value.startsWith("@")) return value;
  const path = value.slice(1).replace(/^~(?=\/|$)/, env.HOME ?? "~");
  try {
    return readFileSync(path, "utf8").trim();
  } catch (e) {
    throw new CliError(
      `cannot read the SSH key file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`,
      {
        hint: "Pass the public key itself or @PATH to an existing .pub file.",
      },
    );
  }
}

interface WaitOutcome {
  order: Order;
  ready: boolean;
  interrupted?: boolean;
}

/** The SDK's readiness wait (endpoints, then a TCP answer), with a spinner; Ctrl-C stops the wait, not the order. */
async function waitForOrder(
  ctx: CliContext,
  order: Order,
  ports: CreateOrderParams["ports"],
  timeoutS: number,
): Promise<WaitOutcome> {
  const started = Date.now();
  const what = ports?.["22"] === "tcp" ? "its host and SSH port" : "its host";
  const progress = ctx.output.progress(`Waiting for order ${order.id} to get ${what}…`);
  const abort = new AbortController();
  const onSigint = () => abort.abort(new Error("interrupted"));
  process.once("SIGINT", onSigint);
  try {
    const ready = await waitUntilReady(ctx.client(), order, {
      ports,
      timeoutMs: timeoutS * 1000,
      signal: abort.signal,
      onProgress: (message) =>
        progress.update(
          `Waiting for order ${order.id} to get ${what}…`,
          `${duration((Date.now() - started) / 1000)}; ${message}`,
        ),
    });
    progress.stop(`Order ${order.id} is ready after ${duration((Date.now() - started) / 1000)}.`);
    return { order: ready, ready: true };
  } catch (e) {
    progress.stop();
    if (e instanceof ReadyTimeoutError)
      return {
        order: await ctx
          .client()
          .getOrder(order.id)
          .catch(() => order),
        ready: false,
      };
    if (abort.signal.aborted) return { order, ready: false, interrupted: true };
    if (e instanceof OrderNotFoundError || e instanceof OrderEndedError) {
      throw new CliError(`order ${order.id} left your active orders while starting (cancelled, expired or outbid).`, {
        hint: `See what happened with "clore orders --completed".`,
      });
    }
    throw e;
  } finally {
    process.removeListener("SIGINT", onSigint);
  }
}

export const deployCommand = defineCommand<Options>({
  name: "deploy",
  args: [{ syntax: "<server_id>", description: 'marketplace server id (see "clore search")', parse: positiveInt }],
  summary: "Rent a server (create an order)",
  description:
    "Rent marketplace server SERVER_ID. The API does not return the new order's id, so clore finds the order in your " +
    "order list, prints it, and then waits until it is ready: it has a public host, its published ports, and its SSH " +
    "port (or first tcp port) accepts a connection. Prices are per day in --currency.",
  configure(cmd) {
    for (const k of Object.keys(CREATE_ORDER_FIELDS) as CreateOrderField[]) {
      const opt = optionFor(k);
      if (opt) cmd.addOption(opt);
    }
    cmd
      .option("--no-wait", "return as soon as the order exists; don't wait for it to be ready")
      .option("--wait-timeout <seconds>", "how long to wait for the order to be ready", positiveInt, 600);
  },
  examples: [
    "clore deploy 41873 --image cloreai/ubuntu22.04-cuda12 --currency USD-Blockchain --port 22:tcp --ssh-key @~/.ssh/id_ed25519.pub",
    "clore deploy 41873 --image cloreai/jupyter:ubuntu24.04-v2 --currency CLORE-Blockchain --port 8888:http --jupyter-token secret --no-wait",
    "clore deploy 38811 --type spot --spot-price 800 --currency CLORE-Blockchain --image nvidia/cuda:12.4.1-runtime-ubuntu22.04",
  ],
  async run(ctx, args, o): Promise<RecordResult> {
    const serverId = args[0] as number;
    // Every mistake at once, named by its flag, before anything is sent.
    const { params, issues } = paramsFrom(serverId, o, ctx.env);
    if (issues.length)
      throw validationError("deploy", issues, (p) =>
        p === "serverId"
          ? "SERVER_ID"
          : (syntaxOf(p as CreateOrderField)?.flag?.split(" ")[0] ?? flagName(p as CreateOrderField)),
      );

    const progress = ctx.output.progress(`Renting server ${serverId}…`);
    let order: Order;
    try {
      order = await ctx.client().createOrder(params);
    } finally {
      progress.stop();
    }
    ctx.output.info(`Order ${order.id} created on server ${serverId} (${orderPrice(order)}, ${order.status}).`);

    const outcome: WaitOutcome = o.wait
      ? await waitForOrder(ctx, order, params.ports, o.waitTimeout)
      : { order, ready: false };
    const final = outcome.order;
    const ssh = sshCommand(final);
    const notes = [
      ...(ssh ? [`Connect: ${ssh}`] : []),
      ...(!outcome.ready && !o.wait
        ? [`Check on it with: clore orders  (or clore ssh ${final.id} once it is running)`]
        : []),
      `Cancel: clore cancel ${final.id}`,
    ];
    const result: RecordResult = {
      kind: "record",
      json: final,
      title: outcome.ready
        ? `Order ${final.id} is ready on server ${serverId}.`
        : `Order ${final.id} created on server ${serverId}.`,
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
