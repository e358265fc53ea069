import { Command } from "commander";
import { packageVersion } from "../sdk";
import type { CliCommand } from "./command";
import { cancelCommand } from "./commands/cancel";
import { configCommand } from "./commands/config";
import { costCommand } from "./commands/cost";
import { cpCommand } from "./commands/cp";
import { deployCommand } from "./commands/deploy";
import { jobCommand } from "./commands/job";
import { ordersCommand } from "./commands/orders";
import { orphansCommand } from "./commands/orphans";
import { searchCommand } from "./commands/search";
import { serverConfigCommand } from "./commands/server-config";
import { serversCommand } from "./commands/servers";
import { spotCommand } from "./commands/spot";
import { spotPriceCommand } from "./commands/spot-price";
import { sshCommand } from "./commands/ssh";
import { walletsCommand } from "./commands/wallets";
import { CliContext, type GlobalOptions } from "./context";
import type { CliIO } from "./io";
import { render } from "./render";

/** Every command, in the order `clore --help` lists them (the official Python CLI's order, then ours). */
export const COMMANDS: CliCommand[] = [
  searchCommand,
  ordersCommand,
  deployCommand,
  cancelCommand,
  walletsCommand,
  serversCommand,
  serverConfigCommand,
  spotCommand,
  spotPriceCommand,
  sshCommand,
  configCommand,
  orphansCommand,
  costCommand,
  cpCommand,
  jobCommand,
];

/** What a run leaves behind for main: the exit code and the context to close. */
export interface RunState {
  exitCode: number;
  ctx?: CliContext;
}

function examplesText(examples: string[]): string {
  return examples.length ? `\nExamples:\n${examples.map((e) => `  $ ${e}`).join("\n")}\n` : "";
}

function addCommand(parent: Command, spec: CliCommand, io: CliIO, state: RunState, path: string): void {
  const cmd = parent
    .command(spec.name)
    .summary(spec.summary)
    .description(spec.description ?? spec.summary);
  for (const a of spec.args ?? []) {
    if (a.parse) cmd.argument(a.syntax, a.description, a.parse);
    else cmd.argument(a.syntax, a.description);
  }
  spec.configure?.(cmd);
  cmd.showHelpAfterError(`Run "clore ${path} --help" for usage.`);
  cmd.addHelpText("after", examplesText(spec.examples));
  if (spec.subcommands) {
    for (const sub of spec.subcommands) addCommand(cmd, sub, io, state, `${path} ${sub.name}`);
    return;
  }
  const run = spec.run;
  if (!run) throw new Error(`command ${path} has neither run nor subcommands`);
  cmd.action(async (...all: unknown[]) => {
    const self = all[all.length - 1] as Command;
    const ctx = new CliContext(io, self.optsWithGlobals<GlobalOptions>());
    state.ctx = ctx;
    const result = await run(ctx, self.processedArgs, self.opts());
    state.exitCode = render(result, ctx.output);
  });
}

/** The `clore` program. Errors are thrown (exitOverride); main turns them into exit codes. */
export function buildProgram(io: CliIO, state: RunState): Command {
  const program = new Command("clore");
  program
    .description("Rent and manage Clore.ai GPU servers from the command line.")
    .version(packageVersion(), "-V, --version", "print the clore version")
    .option("--api-key <key>", "Clore API key (env: CLORE_API_KEY; then api_key in ~/.clore/config.json)")
    .option(
      "--base-url <url>",
      "API base URL (env: CLORE_BASE_URL; then base_url in ~/.clore/config.json; default: https://api.clore.ai/v1)",
    )
    .option("--json", "print one JSON document on stdout; no tables, progress or prompts")
    .option("--debug", "show stack traces and debug lines on stderr")
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError('Run "clore --help" for usage.')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s, write) => write(s.replace(/^error: /, "Error: ")),
    })
    .addHelpText(
      "after",
      examplesText([
        'clore search --gpu "RTX 4090" --max-price 0.5',
        "clore deploy 41873 --image cloreai/ubuntu22.04-cuda12 --currency USD-Blockchain --port 22:tcp --ssh-key @~/.ssh/id_ed25519.pub",
        "clore orders --json",
        "clore orphans --backend-dir ~/pulumi-state",
      ]) +
        '\nRun "clore <command> --help" for the options of a command.\nExit codes: 0 ok, 1 user or API error, 2 bug in clore, 3 partly done.\n',
    );
  for (const spec of COMMANDS) addCommand(program, spec, io, state, spec.name);
  return program;
}
