import type { CliIO } from "./io";

export interface Progress {
  /**
   * Replace the status text. `ticker` (e.g. the elapsed time) shows only on the spinner:
   * plain output prints a line when `text` changes, not on every tick.
   */
  update(text: string, ticker?: string): void;
  /** Stop and leave `finalText` (if any) as a normal line. Later calls do nothing. */
  stop(finalText?: string): void;
}

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/**
 * A one-line spinner on stderr when stderr is a terminal. Elsewhere (CI logs, pipes) it
 * prints a plain line each time the text changes, so logs show progress without
 * carriage-return noise. With --json it prints nothing.
 */
export function startProgress(
  io: CliIO,
  text: string,
  options: { silent?: boolean; intervalMs?: number } = {},
): Progress {
  const err = io.stderr;
  if (options.silent) return { update() {}, stop() {} };
  if (!err.isTTY) {
    let last = "";
    const say = (t: string) => {
      if (t !== last) err.write(`${t}\n`);
      last = t;
    };
    say(text);
    let stopped = false;
    return {
      update: (t) => !stopped && say(t),
      stop(final) {
        if (!stopped && final) say(final);
        stopped = true;
      },
    };
  }
  let current = text;
  let frame = 0;
  let stopped = false;
  const draw = () => err.write(`\r\x1b[K${FRAMES[frame++ % FRAMES.length]} ${current}`);
  draw();
  const timer = setInterval(draw, options.intervalMs ?? 100);
  timer.unref?.();
  return {
    update(t, ticker) {
      current = ticker ? `${t} ${ticker}` : t;
    },
    stop(final) {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      err.write("\r\x1b[K");
      if (final) err.write(`${final}\n`);
    },
  };
}
