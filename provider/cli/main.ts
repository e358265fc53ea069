#!/usr/bin/env node
import { CommanderError } from "commander";
import { reportError } from "./errors";
import { processIO, type CliIO } from "./io";
import { buildProgram, type RunState } from "./program";

/**
 * Run `clore` with `argv` (without node and script) and return the exit code:
 * 0 ok, 1 user/API error, 2 bug, 3 partly done.
 */
export async function run(argv: string[], io: CliIO = processIO()): Promise<number> {
  const state: RunState = { exitCode: 0 };
  const program = buildProgram(io, state);
  try {
    await program.parseAsync(argv, { from: "user" });
    return state.exitCode;
  } catch (e) {
    // Commander already printed its message (usage error) or the help/version text.
    if (e instanceof CommanderError) return e.exitCode;
    const debug = state.ctx?.globals.debug ?? argv.includes("--debug");
    const report = reportError(e, debug, { keySource: state.ctx?.keySource, configPath: state.ctx?.configPath });
    io.stderr.write(`${report.lines.join("\n")}\n`);
    return report.exitCode;
  } finally {
    await state.ctx?.close().catch(() => undefined);
  }
}

if (require.main === module) {
  run(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`Unexpected error: ${e instanceof Error ? e.stack : String(e)}\n`);
      process.exitCode = 2;
    },
  );
}
