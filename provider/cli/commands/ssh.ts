import { spawn } from "node:child_process";
import { defineCommand } from "../command";
import { CliError } from "../errors";
import { positiveInt } from "../parse";
import type { MessageResult } from "../render";

interface SshOptions {
  user: string;
  exec?: boolean;
}

export const sshCommand = defineCommand<SshOptions>({
  name: "ssh",
  args: [
    { syntax: "<order_id>", description: 'order id (see "clore orders")', parse: positiveInt },
    { syntax: "[ssh_args...]", description: "with --exec: more arguments for ssh, after --" },
  ],
  summary: "Print (or run) the SSH command for an order",
  description:
    "Print `ssh USER@HOST -p PORT` for the order's published port 22, ready to copy or to use as $(clore ssh ID). " +
    "With --exec, run it (the order needs --port 22:tcp at deploy time).",
  configure(cmd) {
    cmd.option("--user <name>", "SSH user", "root").option("--exec", "run ssh instead of printing the command");
  },
  examples: ["clore ssh 612345", "clore ssh 612345 --exec", "clore ssh 612345 --exec -- -i ~/.ssh/clore nvidia-smi", "$(clore ssh 612345)"],
  async run(ctx, args, o): Promise<MessageResult> {
    const orderId = args[0] as number;
    const extra = (args[1] as string[] | undefined) ?? [];
    const order = await ctx.client().getOrder(orderId);
    if (order.sshPort === undefined || !order.sshHost) {
      if (order.pubHost && order.tcpPortMap["22"] === undefined && order.status !== "provisioning") {
        throw new CliError(`order ${orderId} has no SSH port: port 22 was not published.`, {
          hint: "Deploy with --port 22:tcp to get SSH access.",
        });
      }
      throw new CliError(`order ${orderId} has no SSH endpoint yet (${order.status}).`, { hint: `Try again in a minute; "clore orders" shows its status.` });
    }
    const sshArgs = [`${o.user}@${order.sshHost}`, "-p", String(order.sshPort)];
    const command = `ssh ${sshArgs.join(" ")}`;
    const json = { orderId, user: o.user, host: order.sshHost, port: order.sshPort, command };
    if (!o.exec) return { kind: "message", json, text: command };

    ctx.output.info(`Running: ${[command, ...extra].join(" ")}`);
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn("ssh", [...sshArgs, ...extra], { stdio: "inherit", env: ctx.env });
      child.on("error", (e: NodeJS.ErrnoException) =>
        reject(e.code === "ENOENT" ? new CliError("ssh is not installed or not on PATH.", { hint: `Install OpenSSH, or run the printed command elsewhere: ${command}` }) : e),
      );
      child.on("exit", (c, signal) => resolve(c ?? (signal ? 128 : 1)));
    });
    if (code !== 0) throw new CliError(`ssh exited with code ${code}.`, { exitCode: code });
    return { kind: "message", json, text: "" };
  },
});
