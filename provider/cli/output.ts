import type { CliIO } from "./io";
import { startProgress, type Progress } from "./spinner";

/**
 * Where output goes. Data goes to stdout; progress, notes and prompts go to stderr and
 * are switched off by --json, so `clore … --json | jq` always sees one JSON document.
 */
export class Output {
  constructor(
    readonly io: CliIO,
    readonly json: boolean,
    readonly debugEnabled: boolean,
  ) {}

  stdout(s: string): void {
    this.io.stdout.write(s);
  }

  stderr(s: string): void {
    this.io.stderr.write(s);
  }

  /** A progress line (stderr, human mode only). */
  info(line: string): void {
    if (!this.json) this.io.stderr.write(`${line}\n`);
  }

  /** Something the user should know even in --json mode (stderr). */
  warn(line: string): void {
    this.io.stderr.write(`Warning: ${line}\n`);
  }

  debug(line: string): void {
    if (this.debugEnabled) this.io.stderr.write(`[debug] ${line}\n`);
  }

  /** A spinner on a terminal, plain lines otherwise, nothing with --json. */
  progress(text: string): Progress {
    return startProgress(this.io, text, { silent: this.json });
  }

  /** Prompts need a person at a terminal and are never shown with --json. */
  get canPrompt(): boolean {
    return !this.json && Boolean(this.io.stdin.isTTY) && Boolean(this.io.stderr.isTTY);
  }
}
