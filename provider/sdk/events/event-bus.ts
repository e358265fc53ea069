import { type Clock, systemClock } from "../clock";
import { LifecycleEvent, type LifecycleEventInput } from "./event";
import { type EventSink, JsonLinesSink } from "./line-sink";
import { type EventsSetting, type SinkSpec, parseEventsSetting } from "./setting";
import { type WebhookOptions, WebhookSink } from "./webhook-sink";

export interface EventBusOptions {
  /** Where the `stdout` sink writes (the CLI passes its stderr: its stdout holds only data). Default fd 1. */
  stdout?: { write(line: string): unknown };
  /** Where a sink says it dropped events. Default: stderr. */
  notice?: (message: string) => void;
  webhook?: WebhookOptions;
  clock?: Clock;
}

const DEFAULT_FLUSH_MS = 5000;

/**
 * Emits lifecycle events to the configured sinks. `emit` never throws and never waits: an event
 * that fails the schema is dropped with a notice (a bug here must not fail a `pulumi up`), a slow
 * webhook is drained in the background, and `flush` waits for it only up to a bound.
 */
export class EventBus {
  private readonly clock: Clock;
  private readonly notice: (message: string) => void;
  /** How long `flush` waits by default: one webhook timeout. */
  readonly flushMs: number;

  constructor(
    readonly sinks: readonly EventSink[],
    options: { clock?: Clock; notice?: (message: string) => void; flushMs?: number } = {},
  ) {
    this.flushMs = options.flushMs ?? DEFAULT_FLUSH_MS;
    this.clock = options.clock ?? systemClock;
    this.notice = options.notice ?? stderrNotice;
  }

  get enabled(): boolean {
    return this.sinks.length > 0;
  }

  get pending(): number {
    return this.sinks.reduce((n, s) => n + s.pending, 0);
  }

  emit(input: LifecycleEventInput): void {
    if (!this.sinks.length) return;
    // The schema is the allow-list: keys it does not declare are dropped here, before any sink.
    const parsed = LifecycleEvent.safeParse({ ...input, time: input.time ?? new Date(this.clock.now()).toISOString() });
    if (!parsed.success) {
      this.notice(`events: dropped a malformed ${input.kind} event (${parsed.error.issues[0]?.message ?? "?"})`);
      return;
    }
    // As it will read on the wire: fields left undefined are absent.
    const event = JSON.parse(JSON.stringify(parsed.data)) as LifecycleEvent;
    for (const s of this.sinks) s.send(event);
  }

  /** Deliver what is queued, waiting at most `timeoutMs` (default: the webhook timeout) in all. */
  async flush(timeoutMs = this.flushMs): Promise<void> {
    const deadline = this.clock.now() + timeoutMs;
    await Promise.all(this.sinks.map((s) => s.flush(deadline)));
  }
}

/** A bus that sends nothing (events off). */
export const NO_EVENTS = new EventBus([]);

/** The sinks of a parsed setting. */
export function createEventBus(specs: SinkSpec[], options: EventBusOptions = {}): EventBus {
  const notice = options.notice ?? stderrNotice;
  const sinks = specs.map((s): EventSink => {
    if (s.kind === "stdout") return new JsonLinesSink(options.stdout ?? { fd: 1 }, notice);
    if (s.kind === "file") return new JsonLinesSink({ path: s.path }, notice);
    return new WebhookSink(s.url, notice, { clock: options.clock, ...options.webhook });
  });
  return new EventBus(sinks, { clock: options.clock, notice, flushMs: options.webhook?.timeoutMs });
}

const buses = new Map<string, EventBus>();

/**
 * The process's bus for a setting (one per value, so every resource shares one ordered webhook
 * queue), NO_EVENTS when none is set. A malformed setting throws, naming it. Pending webhook
 * deliveries are flushed when the process runs out of work, for at most the webhook timeout.
 */
export function eventBusFor(
  setting: EventsSetting | undefined,
  options: Omit<EventBusOptions, "stdout"> = {},
): EventBus {
  if (!setting) return NO_EVENTS;
  const id = setting.value;
  let bus = buses.get(id);
  if (!bus) {
    bus = createEventBus(parseEventsSetting(setting), options);
    buses.set(id, bus);
    flushAtExit();
  }
  return bus;
}

/** Wait for every bus of the process, each for at most its bound. */
export async function flushEvents(): Promise<void> {
  await Promise.all([...buses.values()].map((b) => b.flush()));
}

let exitHook = false;
function flushAtExit(): void {
  if (exitHook) return;
  exitHook = true;
  let flushing = false;
  // beforeExit comes when nothing else keeps the loop alive: the flush's own timer keeps it
  // for at most the bound; once it settles, the next beforeExit finds `flushing` and lets go.
  process.on("beforeExit", () => {
    if (flushing || ![...buses.values()].some((b) => b.pending > 0)) return;
    flushing = true;
    void flushEvents();
  });
}

let signalHook = false;
/**
 * For a process that is stopped with SIGINT or SIGTERM when its work is done (the provider
 * plugins: the engine waits for them to exit): deliver what is queued first, for at most the
 * bound, then die of the signal as if nothing had caught it. Not for programs that handle
 * signals themselves (runJob's callers do).
 */
export function flushEventsOnSignal(): void {
  if (signalHook) return;
  signalHook = true;
  const handler = (sig: NodeJS.Signals) => {
    process.removeListener("SIGINT", handler);
    process.removeListener("SIGTERM", handler);
    const die = () => process.kill(process.pid, sig);
    if ([...buses.values()].some((b) => b.pending > 0)) void flushEvents().finally(die);
    else die();
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
}

function stderrNotice(message: string): void {
  process.stderr.write(`clore: ${message}\n`);
}
