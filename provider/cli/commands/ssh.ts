import type { Readable } from "node:stream";
import type { ByteSink } from "../../ssh";
import { defineCommand } from "../command";
import { CliError } from "../errors";
import { positiveInt } from "../parse";
import type { MessageResult } from "../render";
import { SSH_LOGIN_HELP, type SshLoginOptions, loginToOrder, orderSshEndpoint, sshLoginOptions } from "../ssh-login";

interface SshOptions extends SshLoginOptions {
  exec?: boolean;
}

export const sshCommand = defineCommand<SshOptions>({
  name: "ssh",
  args: [
    { syntax: "<order_id>", description: 'order id (see "clore orders")', parse: positiveInt },
    { syntax: "[command...]", description: "with --exec: the command to run, after -- (default: a login shell)" },
  ],
  summary: "Print (or run) the SSH command for an order",
  description:
    "Print `ssh USER@HOST -p PORT` for the order's published port 22, ready to copy or to use as $(clore ssh ID). " +
    "With --exec, log in and run the command given after -- (its output and exit code pass through), or a login shell. " +
    SSH_LOGIN_HELP,
  configure(cmd) {
    sshLoginOptions(cmd);
    cmd.option("--exec", "log in and run the command (or a shell) instead of printing the ssh command");
  },
  examples: [
    "clore ssh 612345",
    "$(clore ssh 612345)",
    "CLORE_SSH_PASSWORD=… clore ssh 612345 --exec --password-env CLORE_SSH_PASSWORD -- nvidia-smi",
    "clore ssh 612345 --exec -i ~/.ssh/clore",
  ],
  async run(ctx, args, o): Promise<MessageResult> {
    const orderId = args[0] as number;
    const command = ((args[1] as string[] | undefined) ?? []).join(" ");
    const endpoint = await orderSshEndpoint(ctx, orderId);
    const { host, port } = endpoint;
    const printed = `ssh ${o.user}@${host} -p ${port}`;
    const json = { orderId, user: o.user, host, port, command: printed };
    if (!o.exec) return { kind: "message", json, text: printed };

    await using ssh = await loginToOrder(ctx, endpoint, o);
    // process.stdout/stderr take bytes too (and know the terminal's size, for the shell's pty).
    const stdout = ctx.io.stdout as unknown as ByteSink;
    const stderr = ctx.io.stderr as unknown as ByteSink;
    let code: number;
    if (command) {
      // Like ssh: piped input goes to the command; a terminal's does not (no pty for a command).
      const stdin = ctx.io.stdin.isTTY ? undefined : (ctx.io.stdin as Readable);
      const r = await ssh.run(command, { stdin, stdout, stderr });
      code = r.exitCode ?? 255;
    } else {
      code = await ssh.shell({ stdin: ctx.io.stdin as Readable, stdout, stderr });
    }
    if (code !== 0)
      throw new CliError(`the ${command ? "command" : "shell"} on order ${orderId} exited with code ${code}.`, {
        exitCode: code,
      });
    return { kind: "message", json: { ...json, exitCode: code }, text: "" };
  },
});
