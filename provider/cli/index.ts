export { run } from "./main";
export { buildProgram, COMMANDS } from "./program";
export { EXIT, CliError } from "./errors";
export type { CliIO } from "./io";
