import {
  CloreClient,
  type EventBus,
  NO_EVENTS,
  createEventBus,
  defaultConfigPath,
  eventsSetting,
  parseEventsSetting,
} from "../sdk";
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
  #events?: EventBus;

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

  /**
   * Lifecycle events (CLORE_EVENTS); a malformed value throws, naming it. The `stdout` sink
   * writes to stderr here: stdout holds only the command's data (`--json`).
   */
  events(): EventBus {
    if (!this.#events) {
      const setting = eventsSetting(undefined, this.env);
      this.#events = setting
        ? createEventBus(parseEventsSetting(setting), {
            stdout: this.io.stderr,
            notice: (m) => void this.io.stderr.write(`clore: ${m}\n`),
          })
        : NO_EVENTS;
    }
    return this.#events;
  }

  async close(): Promise<void> {
    // Webhook deliveries get at most their timeout before the command exits.
    await this.#events?.flush();
    await this.#client?.close();
  }
}
