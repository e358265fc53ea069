import { defineCommand } from "../command";
import { CliError } from "../errors";
import type { MessageResult } from "../render";
import { SSH_LOGIN_HELP, type SshLoginOptions, loginToOrder, orderSshEndpoint, sshLoginOptions } from "../ssh-login";

/** `612345:job/out` → the order and the remote path; anything else is local. */
function remoteOf(arg: string): { orderId: number; path: string } | undefined {
  const m = /^(\d+):(.*)$/.exec(arg);
  return m ? { orderId: Number(m[1]), path: m[2] || "." } : undefined;
}

export const cpCommand = defineCommand<SshLoginOptions>({
  name: "cp",
  args: [
    { syntax: "<source>", description: "a local path, or ORDER_ID:PATH on the order's server" },
    {
      syntax: "<destination>",
      description: "the copy's own path (not a folder to put it in): local, or ORDER_ID:PATH",
    },
  ],
  summary: "Copy files and directories to or from an order's server (SFTP)",
  description:
    "Copy a file or a directory tree between this machine and an order's server, like scp -r. Exactly one side is " +
    "ORDER_ID:PATH; remote relative paths start in the login directory. DESTINATION is the path of the copy itself. " +
    "Sizes are checked after the copy. " +
    SSH_LOGIN_HELP,
  configure: sshLoginOptions,
  examples: [
    "clore cp ./train 612345:job --password-env CLORE_SSH_PASSWORD",
    "clore cp 612345:job/out ./artifacts -i ~/.ssh/clore",
    "clore cp 612345:job/out/model.bin model.bin --json",
  ],
  async run(ctx, args, o): Promise<MessageResult> {
    const [source, destination] = args as [string, string];
    const from = remoteOf(source);
    const to = remoteOf(destination);
    if (Boolean(from) === Boolean(to)) {
      throw new CliError(
        from
          ? "both paths are on a server; one side must be local."
          : "both paths are local; one side must be ORDER_ID:PATH.",
        {
          hint: "Upload: clore cp ./train 612345:job   Download: clore cp 612345:job/out ./artifacts",
        },
      );
    }
    const remote = (from ?? to)!;
    await using ssh = await loginToOrder(ctx, await orderSshEndpoint(ctx, remote.orderId), o);
    const direction = from ? "download" : "upload";
    const r = from ? await ssh.download(from.path, destination) : await ssh.upload(source, to!.path);
    const mb = (r.bytes / 1e6).toFixed(1);
    const where = `order ${remote.orderId}:${remote.path}`;
    return {
      kind: "message",
      json: {
        orderId: remote.orderId,
        direction,
        source,
        destination,
        files: r.files,
        bytes: r.bytes,
        durationMs: Math.round(r.durationMs),
      },
      text: `${direction === "upload" ? "Uploaded" : "Downloaded"} ${r.files} file(s), ${mb} MB ${direction === "upload" ? "to" : "from"} ${where} in ${(r.durationMs / 1000).toFixed(1)} s.`,
    };
  },
});
