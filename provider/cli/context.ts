import { CloreClient, defaultConfigPath } from "../sdk";
import type { CliIO } from "./io";
import { Output } from "./output";

/** Options every command accepts (defined once on the program). */
export interface GlobalOptions {
  apiKey?: string;
  baseUrl?: string;
  json?: boolean;
  debug?: boolean;
}

/** What a command's action gets: output, the global options and a lazily built client. */
export class CliContext {
  readonly output: Output;
  #client?: CloreClient;

  constructor(
    readonly io: CliIO,
    readonly globals: GlobalOptions,
  ) {
    this.output = new Output(io, Boolean(globals.json), Boolean(globals.debug));
  }

  get env(): NodeJS.ProcessEnv {
    return this.io.env;
  }

  /** `~/.clore/config.json`, resolved against HOME at call time. */
  get configPath(): string {
    return defaultConfigPath(this.env.HOME || undefined);
  }

  /** The SDK client; key and base URL: flag, then env, then the config file (the SDK's order). */
  client(): CloreClient {
    if (!this.#client) {
      this.#client = new CloreClient({
        apiKey: this.globals.apiKey || undefined,
        baseUrl: this.globals.baseUrl || undefined,
        env: this.env,
        configPath: this.configPath,
      });
      this.output.debug(`API ${this.#client.baseUrl}, key from ${this.#client.keySource ?? "nowhere"}`);
    }
    return this.#client;
  }

  /** Where the key came from, if a client was built (for error messages). */
  get keySource(): string | undefined {
    return this.#client?.keySource;
  }

  async close(): Promise<void> {
    await this.#client?.close();
  }
}
