import { after, before } from "mocha";
import {
  CloreClient,
  type CloreClientOptions,
  type CreateOrderParams,
  RateLimiter,
  type RateLimits,
} from "../../provider/sdk";
import { type Emulator, type StartEmulatorOptions, startEmulator } from "../../provider/emulator";

/**
 * A suite's emulator: `before` starts it with `options`, `after` closes it. The returned object
 * stands for the started emulator (its `url`, `apiKey`, `state`, …) from the first hook on.
 *
 *     const emu = useEmulator({ timeScale: 0.01, rateLimit: false });
 *     beforeEach(() => emu.reset());
 */
export function useEmulator(options: StartEmulatorOptions = {}): Emulator {
  let started: Emulator | undefined;
  before(async () => {
    started = await startEmulator(options);
  });
  after(() => started?.close());
  return new Proxy({} as Emulator, {
    get(_, key) {
      if (!started) throw new Error(`useEmulator: read emulator.${String(key)} in a hook or test, after it starts`);
      const value = Reflect.get(started, key, started);
      return typeof value === "function" ? value.bind(started) : value;
    },
    set(_, key, value) {
      if (!started) throw new Error(`useEmulator: set emulator.${String(key)} in a hook or test, after it starts`);
      return Reflect.set(started, key, value, started);
    },
  });
}

/**
 * A client of `emu` that reads nothing of this machine's (no CLORE_* variables, no config file)
 * and paces itself with its own limiter at test speed, never a shared one on disk.
 */
export function isolatedClient(
  emu: Pick<Emulator, "url" | "apiKey">,
  opts: CloreClientOptions & { limits?: Partial<RateLimits> } = {},
): CloreClient {
  const { limits = { minIntervalMs: 30, createIntervalMs: 100 }, ...rest } = opts;
  return new CloreClient({
    apiKey: emu.apiKey,
    baseUrl: emu.url,
    env: {},
    configPath: "/nonexistent/clore-config.json",
    ...rest,
    rateLimiter: rest.rateLimiter ?? new RateLimiter({ clock: rest.clock, limits }),
  });
}

/** The order most tests rent: on-demand, USD, the image the README uses. */
export function sampleOrder(serverId: number, extra: Partial<CreateOrderParams> = {}): CreateOrderParams {
  return { serverId, image: SAMPLE_IMAGE, type: "on-demand", currency: "USD-Blockchain", ...extra };
}

export const SAMPLE_IMAGE = "cloreai/ubuntu22.04-cuda12";
