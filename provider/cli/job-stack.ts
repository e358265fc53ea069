import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Stack } from "@pulumi/pulumi/automation";
import { jobStackTags } from "../job/detach";
import { JobConnection } from "../job/job-connection";
import { type JobRecord, readJobRecord } from "../job/job-record";
import { orderFate } from "../sdk";
import {
  type HostKeyPolicy,
  type SshSession,
  type SshTarget,
  TrustOnFirstUse,
  connectSsh,
  pinnedHostKey,
} from "../ssh";
import type { CliContext } from "./context";
import { CliError } from "./errors";
import { orderIdOf } from "./stack-state";

/** Options of every `clore job` command: where the stack's project is, and how to log in. */
export interface JobStackOptions {
  cwd: string;
  user: string;
  passwordEnv?: string;
  identity?: string;
  wait: number;
}

/** A runJob stack, found through the backend, with a session on its server and the run's record. */
export interface OpenJobStack {
  stack: Stack;
  stackName: string;
  orderId?: number;
  host: string;
  port: number;
  record: JobRecord;
  conn: JobConnection;
  /** The host key came from the stack's tag (else: trusted on first use). */
  pinned: boolean;
  close(): Promise<void>;
}

/** A runJob stack found through the backend, and where its server is (its outputs). */
export interface JobStackRef {
  stack: Stack;
  stackName: string;
  orderId?: number;
  host: string;
  port: number;
}

/** The stack (Pulumi's backend from the environment, the project in `--cwd`) and its outputs sshHost/sshPort/orderId. */
export async function selectJobStack(ctx: CliContext, stackName: string, o: JobStackOptions): Promise<JobStackRef> {
  const workDir = resolve(o.cwd);
  if (!existsSync(join(workDir, "Pulumi.yaml")) && !existsSync(join(workDir, "Pulumi.yml")))
    throw new CliError(`${workDir} has no Pulumi.yaml: clore job needs the stack's project.`, {
      hint: "Run it in the project directory of the stack (the runJob workDir), or pass --cwd DIR.",
    });
  const { LocalWorkspace } = await import("@pulumi/pulumi/automation");
  const envVars = Object.fromEntries(Object.entries(ctx.env).filter((e): e is [string, string] => e[1] !== undefined));
  let stack: Stack;
  try {
    stack = await LocalWorkspace.selectStack({ stackName, workDir }, { envVars });
  } catch (e) {
    throw new CliError(`no stack ${stackName} in the backend (${firstLine(e)}).`, {
      hint: "Check PULUMI_BACKEND_URL (and pulumi stack ls in the project directory).",
    });
  }
  const outputs = await stack.outputs();
  const host = outputs.sshHost?.value;
  const port = Number(outputs.sshPort?.value);
  if (typeof host !== "string" || !host || !Number.isInteger(port))
    throw new CliError(`stack ${stackName} has no sshHost/sshPort outputs: is it up, and a runJob stack?`, {
      hint: `pulumi stack output --stack ${stackName} shows what it exports.`,
    });
  const orderId = Number(outputs.orderId?.value) || undefined;
  return { stack, stackName, orderId, host, port };
}

/** Why the stack's order ended, when the API says it did (orderFate: never on "unknown"); undefined without a key. */
export async function orderEndedReason(ctx: CliContext, orderId: number | undefined): Promise<string | undefined> {
  if (orderId === undefined || !(ctx.globals.apiKey || ctx.env.CLORE_API_KEY)) return undefined;
  const fate = await orderFate(ctx.client(), orderId);
  return fate.state === "ended" ? fate.reason : undefined;
}

/**
 * Log in to the stack's server and read the run's record: the order's sshPassword from the
 * state (decrypted with the stack's passphrase) unless --password-env/--identity say otherwise,
 * and the host key the runner saw (stack tag) pinned. A CliError when the API says the order ended.
 */
export async function openJobStack(
  ctx: CliContext,
  stackName: string,
  o: JobStackOptions,
  ref?: JobStackRef,
): Promise<OpenJobStack> {
  const { stack, orderId, host, port } = ref ?? (await selectJobStack(ctx, stackName, o));
  const ended = await orderEndedReason(ctx, orderId);
  if (ended)
    throw new CliError(
      `order ${orderId} of stack ${stackName} has ended (${ended}): the job is gone with its server.`,
      {
        hint: `clore job finish ${stackName} destroys the stack.`,
      },
    );
  const tags = await jobStackTags(stack);
  const credentials = await loginCredentials(ctx, stack, o);
  const hostKeys: HostKeyPolicy = tags.hostKey ? pinnedHostKey(tags.hostKey) : new TrustOnFirstUse();
  const target: SshTarget = { host, port, user: o.user, ...credentials };
  const link = (waitMs: number) =>
    connectSsh(target, {
      waitMs,
      hostKeys,
      keepaliveIntervalMs: 5000,
      keepaliveCountMax: 2,
      handshakeTimeoutMs: 10_000,
    });
  ctx.output.info(`Connecting to ${o.user}@${host}:${port} (stack ${stackName}, order ${orderId ?? "?"}) …`);
  const first = await link(o.wait * 1000);
  const conn = new JobConnection(first, {
    connect: (waitMs) => link(waitMs),
    log: (line) => ctx.output.info(line),
    orderEnded: () => orderEndedReason(ctx, orderId),
  });
  let record: JobRecord | undefined;
  try {
    record = await conn.use(
      () => ({ during: "read the run's record", notRun: [] }),
      (ssh: SshSession) => readJobRecord(ssh, stackName),
    );
  } catch (e) {
    await conn.session.close();
    throw e;
  }
  if (!record) {
    await conn.session.close();
    throw new CliError(`the server of stack ${stackName} has no run record: the stack was not made by runJob.`, {
      hint: "clore job works on stacks that runJob (pulumi-clore/job) brought up.",
    });
  }
  return {
    stack,
    stackName,
    orderId,
    host,
    port,
    record,
    conn,
    pinned: Boolean(tags.hostKey),
    close: () => conn.session.close(),
  };
}

/** --password-env, --identity, else the order's sshPassword in the stack's state (runJob's default login). */
async function loginCredentials(
  ctx: CliContext,
  stack: Stack,
  o: JobStackOptions,
): Promise<Pick<SshTarget, "password" | "privateKey">> {
  if (o.passwordEnv !== undefined) {
    const password = ctx.env[o.passwordEnv];
    if (!password) throw new CliError(`--password-env ${o.passwordEnv}: that variable is not set or empty.`);
    return { password };
  }
  if (o.identity !== undefined) {
    const { readFileSync } = await import("node:fs");
    const path = o.identity.replace(/^~(?=\/|$)/, ctx.env.HOME ?? "");
    if (!existsSync(path)) throw new CliError(`--identity ${o.identity}: no such file.`);
    return { privateKey: readFileSync(path) };
  }
  const deployment = await stack.exportStack().catch((e: unknown) => {
    throw new CliError(`cannot read the state of stack ${stack.name} (${firstLine(e)}).`, {
      hint: "The stack's secrets need its passphrase (PULUMI_CONFIG_PASSPHRASE) or secrets provider.",
    });
  });
  const resources = (deployment.deployment as { resources?: StateResource[] } | undefined)?.resources ?? [];
  for (const r of resources) {
    if (orderIdOf(r) === undefined) continue;
    const pw = plain(r.outputs?.sshPassword) ?? plain(r.inputs?.sshPassword);
    if (pw) return { password: pw };
  }
  throw new CliError(`stack ${stack.name} has no order with an sshPassword in its state.`, {
    hint: "Pass --identity FILE (the key the order got) or --password-env VAR.",
  });
}

interface StateResource {
  type?: string;
  id?: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}

/** A state value as text: plain, or a secret exported with its plaintext (`{ …, plaintext: "\"pw\"" }`). */
function plain(v: unknown): string | undefined {
  if (typeof v === "string") return v || undefined;
  if (v && typeof v === "object" && typeof (v as { plaintext?: unknown }).plaintext === "string") {
    try {
      const inner = JSON.parse((v as { plaintext: string }).plaintext) as unknown;
      return typeof inner === "string" && inner ? inner : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function firstLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return (
    text
      .split("\n")
      .map((l) => l.trim())
      .find((l) => l && !l.startsWith("code:") && !l.startsWith("stdout:") && !l.startsWith("stderr:")) ?? "error"
  );
}
