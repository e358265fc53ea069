import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { type Order, OrderEndedError, orderFate } from "../sdk";
import { type SshSession, type SshTarget, connectSsh } from "../ssh";
import type { CliContext } from "./context";
import { CliError } from "./errors";
import { positiveInt } from "./parse";

/** Login options shared by `clore ssh --exec` and `clore cp`. */
export interface SshLoginOptions {
  user: string;
  passwordEnv?: string;
  identity?: string;
  wait: number;
}

/** Keys OpenSSH would try, in its order, when no credentials are given. */
const DEFAULT_KEYS = ["id_ed25519", "id_ecdsa", "id_rsa"];

export function sshLoginOptions(cmd: Command): void {
  cmd
    .option("--user <name>", "SSH user", "root")
    .option(
      "--password-env <VAR>",
      "read the order's SSH password from this environment variable (the Clore API never returns it)",
    )
    .option(
      "-i, --identity <file>",
      "private key whose public half the order got as --ssh-key (default: ssh-agent, then ~/.ssh/id_ed25519, id_ecdsa, id_rsa)",
    )
    .option("--wait <seconds>", "how long to wait for the server's sshd to accept", positiveInt, 60);
}

export const SSH_LOGIN_HELP =
  "Logs in with its own SSH client (no ssh binary needed). The server's host key is trusted on first use and not written to known_hosts.";

export interface SshEndpoint {
  host: string;
  port: number;
}

/** The order's SSH host and port (one my_orders read), or a CliError saying why there are none. */
export async function orderSshEndpoint(ctx: CliContext, orderId: number): Promise<SshEndpoint> {
  const fate = await orderFate(ctx.client(), orderId);
  if (fate.state === "ended") throw new OrderEndedError(orderId, fate.reason);
  if (fate.state === "unknown") {
    throw new CliError(`order ${orderId} is not in any answer of the API right now (${fate.reason}).`, {
      hint: 'If the id is right, try again in a minute; "clore orders --completed" lists your orders.',
    });
  }
  return sshEndpointOf(fate.order, orderId);
}

/** `ssh root@HOST -p PORT`'s host and port, or a CliError saying why there are none. */
function sshEndpointOf(order: Order, orderId: number): SshEndpoint {
  if (order.sshPort !== undefined && order.sshHost) return { host: order.sshHost, port: order.sshPort };
  if (order.pubHost && order.tcpPortMap["22"] === undefined && order.status !== "provisioning") {
    throw new CliError(`order ${orderId} has no SSH port: port 22 was not published.`, {
      hint: "Deploy with --port 22:tcp to get SSH access.",
    });
  }
  throw new CliError(`order ${orderId} has no SSH endpoint yet (${order.status}).`, {
    hint: `Try again in a minute; "clore orders" shows its status.`,
  });
}

/** Log in to an order's server at `endpoint` (from orderSshEndpoint); progress on stderr. */
export async function loginToOrder(
  ctx: CliContext,
  { host, port }: SshEndpoint,
  o: SshLoginOptions,
): Promise<SshSession> {
  const target: SshTarget = { host, port, user: o.user, ...credentials(ctx, o) };
  ctx.output.info(`Connecting to ${o.user}@${host}:${port} …`);
  return connectSsh(target, {
    waitMs: o.wait * 1000,
    onWait: (w) =>
      ctx.output.info(`sshd not ready yet (${w.reason}); trying again in ${(w.nextInMs / 1000).toFixed(1)} s`),
  });
}

function credentials(ctx: CliContext, o: SshLoginOptions): Pick<SshTarget, "password" | "privateKey" | "agent"> {
  if (o.passwordEnv !== undefined) {
    const password = ctx.env[o.passwordEnv];
    if (!password)
      throw new CliError(`--password-env ${o.passwordEnv}: that variable is not set or empty.`, {
        hint: `export ${o.passwordEnv}=<the order's ssh password>, then run the command again.`,
      });
    return { password };
  }
  const home = ctx.env.HOME ?? "";
  if (o.identity !== undefined) {
    const path = o.identity.replace(/^~(?=\/|$)/, home);
    if (!existsSync(path)) throw new CliError(`--identity ${o.identity}: no such file.`);
    return { privateKey: readFileSync(path) };
  }
  if (ctx.env.SSH_AUTH_SOCK) return { agent: ctx.env.SSH_AUTH_SOCK };
  const key = DEFAULT_KEYS.map((k) => join(home, ".ssh", k)).find((p) => home && existsSync(p));
  if (key) return { privateKey: readFileSync(key) };
  throw new CliError("no SSH credentials: the Clore API never returns an order's password.", {
    hint: "Pass --password-env VAR (a variable holding the password you deployed with) or --identity FILE (the key matching --ssh-key).",
  });
}
