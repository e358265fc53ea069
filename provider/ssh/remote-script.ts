import { ValidationError, fields } from "../sdk";

/**
 * The text sent as an SSH exec request. sshd runs it with the login shell (`$SHELL -c`), so
 * it must be POSIX sh and say everything itself: OpenSSH refuses `env` requests by default
 * (AcceptEnv), so variables are exported in the script; and so that a timeout can kill the
 * command, the shell first reports its pid (a session leader under OpenSSH, so its process
 * group is the command's) on a stderr line of its own, which `PidMarker` strips.
 */

const PID_PREFIX = "__clore_ssh_pid=";

/** POSIX single quoting: safe for any string. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function remoteScript(command: string, opts: { env?: Record<string, string>; cwd?: string } = {}): string {
  const env = Object.entries(opts.env ?? {});
  const bad = env.filter(([k]) => !fields.ENV_NAME.test(k));
  if (bad.length)
    throw new ValidationError(
      "ssh run",
      bad.map(([k]) => ({
        path: `env.${k}`,
        message: "must be a shell variable name (letters, digits, _; not starting with a digit)",
      })),
    );
  const lines = [`printf '${PID_PREFIX}%s\\n' "$$" >&2`];
  if (opts.cwd !== undefined) lines.push(`cd -- ${shellQuote(opts.cwd)} || exit 1`);
  for (const [k, v] of env) lines.push(`${k}=${shellQuote(v)}; export ${k}`);
  // The command last and on its own line: it runs in this shell, as with `ssh host 'command'`.
  lines.push(command);
  return lines.join("\n");
}

/** Signal the command's process group, or the shell alone if it leads none. */
export function killScript(pid: number, signal: "TERM" | "KILL"): string {
  return `kill -s ${signal} -- -${pid} 2>/dev/null || kill -s ${signal} ${pid} 2>/dev/null; true`;
}

/**
 * Takes the pid line off the front of the stderr stream; everything after it passes through
 * as it came (byte for byte, so binary or partial lines are untouched).
 */
export class PidMarker {
  pid?: number;
  private head: Buffer | undefined = Buffer.alloc(0);

  /** The bytes of `chunk` that belong to the command's own stderr. */
  strip(chunk: Buffer): Buffer {
    if (!this.head) return chunk;
    const all = Buffer.concat([this.head, chunk]);
    const nl = all.indexOf(0x0a);
    if (nl === -1 && all.length < 64) {
      this.head = all;
      return Buffer.alloc(0);
    }
    this.head = undefined;
    const first = all.subarray(0, nl === -1 ? 0 : nl).toString("latin1");
    if (!first.startsWith(PID_PREFIX)) return all;
    this.pid = Number(first.slice(PID_PREFIX.length)) || undefined;
    return all.subarray(nl + 1);
  }

  /** Bytes held back when the stream ended before a newline. */
  flush(): Buffer {
    const rest = this.head ?? Buffer.alloc(0);
    this.head = undefined;
    return rest;
  }
}
