import type { Command } from "commander";
import type { CliContext } from "./context";
import type { CommandResult } from "./render";

/**
 * One CLI command: its commander definition and an action that returns data. program.ts
 * wires every command to the one renderer, so commands never print their results.
 */
// biome-ignore lint/suspicious/noExplicitAny: commander's options and arguments are untyped; each command states its own Opts.
export interface CliCommand<Opts = any> {
  name: string;
  /** Positional arguments, commander syntax (`<order_id>`, `[ssh_args...]`), in order. */
  args?: Array<{ syntax: string; description: string; parse?: (value: string) => unknown }>;
  summary: string;
  /** Longer help text (defaults to the summary). */
  description?: string;
  /** Add options (and sub-commands for groups like `config`). */
  configure?(cmd: Command): void;
  /** Lines shown under "Examples:" in --help. */
  examples: string[];
  /** Sub-commands (`config set|get|show`); a group has no run of its own. */
  subcommands?: CliCommand[];
  run?(ctx: CliContext, args: unknown[], opts: Opts): Promise<CommandResult> | CommandResult;
}

export function defineCommand<Opts>(c: CliCommand<Opts>): CliCommand<Opts> {
  return c;
}
