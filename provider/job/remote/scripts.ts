import { ValidationError, fields } from "../../sdk";
import { shellQuote } from "../../ssh";
import { JOBS_DIR, type JobId, jobDir } from "./job-id";

/**
 * The shell scripts behind detached jobs: POSIX sh plus coreutils (`mkfifo`, `tail`, `head`,
 * `wc`, `date`, `sleep` with fractions) and util-linux's `setsid`, all on every Debian/Ubuntu
 * image. Each is one SSH exec; what they print is parsed below.
 *
 * A job's directory (JOBS_DIR/<id>, under the login directory) holds:
 *   command  the command, as given            env      its variables (mode 0600)
 *   cwd      its working directory            run.sh   the wrapper that runs it
 *   pid      the wrapper's pid                pgid     its process group (= pid: a session leader)
 *   started  start time (s since the epoch)   ended    end time, written when it ends
 *   log      stdout and stderr, one line each, prefixed "o " or "e ", in the order written
 *   exit     the exit code ($? of the command: 128+n after signal n), written last
 */

/** Prefix of each log line: which stream it came from. */
export const LOG_PREFIX = { stdout: "o ", stderr: "e " } as const;
/** Control lines the attach script prints on stderr (never part of the job's log). */
export const MARK = {
  exit: "__clore_job_exit=",
  alive: "__clore_job_alive",
  lost: "__clore_job_lost",
  missing: "__clore_job_missing",
} as const;

export interface JobSpec {
  /** A shell command (the login shell runs it, as `ssh host 'command'` would). */
  command: string;
  /** Its working directory; relative = under the login directory. Default: the login directory. */
  cwd?: string;
  /** Variables for it (stored in the job directory, mode 0600; never logged). */
  env?: Record<string, string>;
  /** A name for the id (e.g. "train" → `train-20261207T130512Z-a1b2c3`). */
  name?: string;
}

const prefixer = (tag: string, fifo: string) =>
  `(trap '' TERM INT HUP; while IFS= read -r l || [ -n "$l" ]; do printf '${tag}%s\\n' "$l"; done < ${fifo} >> log) &`;

/**
 * The wrapper: records pid/pgid/start, runs the command with stdin from /dev/null and its
 * stdout/stderr through two line prefixers into `log`, then writes `ended` and `exit` (exit
 * last, atomically: once it exists the log is complete). It survives the TERM that `stop`
 * sends the group (a trap), so a stopped job still gets its exit code; the prefixers ignore
 * TERM so no line is lost.
 */
export function wrapperScript(id: JobId): string {
  return [
    `cd "$HOME"/${jobDir(id)} || exit 1`,
    // The trap first: a stop may come as soon as the pid is out.
    `trap 'stopping=1' TERM INT HUP`,
    `rm -f out.fifo err.fifo; mkfifo out.fifo err.fifo || exit 1`,
    prefixer(LOG_PREFIX.stdout, "out.fifo"),
    `a=$!`,
    prefixer(LOG_PREFIX.stderr, "err.fifo"),
    `b=$!`,
    `pg=$(cut -d' ' -f5 /proc/$$/stat 2>/dev/null); echo "\${pg:-$$}" > pgid`,
    `date +%s > started`,
    `echo $$ > pid`,
    `d=$(pwd); w=$(cat cwd)`,
    // Stopped before it began: it never runs (143, as if TERM had ended it).
    `if [ -n "$stopping" ]; then code=143; : > out.fifo & : > err.fifo; else`,
    `(cd "$HOME" && cd -- "$w" && . "$d"/env && exec "\${SHELL:-/bin/sh}" -c "$(cat "$d"/command)") > out.fifo 2> err.fifo < /dev/null`,
    `code=$?; fi`,
    // A trapped signal interrupts `wait`: wait until the prefixers are really gone.
    `while kill -0 $a 2>/dev/null || kill -0 $b 2>/dev/null; do wait; done`,
    `rm -f out.fifo err.fifo`,
    `date +%s > ended`,
    `echo "$code" > exit.tmp && mv exit.tmp exit`,
    "",
  ].join("\n");
}

function checkEnv(env: Record<string, string>): void {
  const bad = Object.keys(env).filter((k) => !fields.ENV_NAME.test(k));
  if (bad.length)
    throw new ValidationError(
      "job start",
      bad.map((k) => ({
        path: `env.${k}`,
        message: "must be a shell variable name (letters, digits, _; not starting with a digit)",
      })),
    );
}

/**
 * Write the job directory, start the wrapper in a new session off the channel, wait for its
 * pid; prints the pid. Idempotent: run again for the same id, it only prints the pid.
 */
export function startScript(id: JobId, spec: JobSpec): string {
  const env = spec.env ?? {};
  checkEnv(env);
  const envText = Object.entries(env)
    .map(([k, v]) => `${k}=${shellQuote(v)}; export ${k}\n`)
    .join("");
  const d = `"$HOME"/${jobDir(id)}`;
  return [
    "umask 077",
    `mkdir -p ${d} && cd ${d} || exit 1`,
    // Started already (this is a retry after a dropped connection): report it, never start twice.
    "if ! mkdir launched 2>/dev/null; then i=0; while [ ! -s pid ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done; cat pid; exit 0; fi",
    `printf '%s' ${shellQuote(spec.command)} > command`,
    `printf '%s' ${shellQuote(spec.cwd ?? ".")} > cwd`,
    `printf '%s' ${shellQuote(envText)} > env`,
    `printf '%s' ${shellQuote(wrapperScript(id))} > run.sh`,
    ": > log",
    // setsid: a new session and process group, no controlling terminal; without it (not
    // util-linux) the job still has no stdio on the channel, which is what a hang-up touches.
    `if command -v setsid >/dev/null 2>&1; then setsid /bin/sh run.sh < /dev/null > /dev/null 2>&1 & else nohup /bin/sh run.sh < /dev/null > /dev/null 2>&1 & fi`,
    "i=0; while [ ! -s pid ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done",
    `[ -s pid ] || { echo "the job did not start (no pid after 10 s)" >&2; exit 1; }`,
    "cat pid",
  ].join("\n");
}

/**
 * Stream `log` from byte `offset` until `exit` exists, then print MARK.exit + the code on
 * stderr. Polls every 0.2 s; MARK.alive on stderr every ~1 s says the link is alive even when
 * the job is silent. A job whose wrapper died without an exit code prints MARK.lost.
 */
export function attachScript(id: JobId, offset: number): string {
  if (!Number.isSafeInteger(offset) || offset < 0)
    throw new RangeError(`offset must be a byte offset ≥ 0 (got ${offset})`);
  return [
    `cd "$HOME"/${jobDir(id)} 2>/dev/null || { echo ${MARK.missing} >&2; exit 3; }`,
    `off=${offset}; n=0`,
    "while :; do",
    "  if [ -f exit ]; then fin=1; else fin=; fi",
    "  size=$(wc -c < log | tr -d ' ')",
    `  if [ "$size" -gt "$off" ]; then tail -c +$((off + 1)) log | head -c $((size - off)); off=$size; fi`,
    `  if [ -n "$fin" ]; then printf '${MARK.exit}%s\\n' "$(cat exit)" >&2; exit 0; fi`,
    `  if [ -s pid ] && ! kill -0 "$(cat pid)" 2>/dev/null && [ ! -f exit ]; then echo ${MARK.lost} >&2; exit 4; fi`,
    `  n=$((n + 1)); if [ $n -ge 5 ]; then echo ${MARK.alive} >&2; n=0; fi`,
    "  sleep 0.2",
    "done",
  ].join("\n");
}

/** Shell function printing one job's status as key=value lines (see parseStatus). */
const STATUS_FN = [
  "st() {",
  '  echo "id=$1"',
  '  echo "pid=$(cat "$1/pid" 2>/dev/null)"',
  '  echo "pgid=$(cat "$1/pgid" 2>/dev/null)"',
  '  echo "started=$(cat "$1/started" 2>/dev/null)"',
  '  echo "ended=$(cat "$1/ended" 2>/dev/null)"',
  '  echo "exit=$(cat "$1/exit" 2>/dev/null)"',
  '  echo "bytes=$(wc -c < "$1/log" 2>/dev/null | tr -d \' \')"',
  '  if [ -s "$1/pid" ] && kill -0 "$(cat "$1/pid")" 2>/dev/null; then echo alive=1; else echo alive=0; fi',
  '  echo "command=$(head -n 1 "$1/command" 2>/dev/null)"',
  "  echo end",
  "}",
].join("\n");

export function statusScript(id: JobId): string {
  return [`cd "$HOME"/${JOBS_DIR} 2>/dev/null || exit 0`, STATUS_FN, `[ -d ${id} ] && st ${id}`, "true"].join("\n");
}

export function listScript(): string {
  return [
    `cd "$HOME"/${JOBS_DIR} 2>/dev/null || exit 0`,
    STATUS_FN,
    'for j in *; do [ -d "$j" ] && st "$j"; done',
    "true",
  ].join("\n");
}

/**
 * TERM to the job's process group (the wrapper survives it and writes the exit code); after
 * `graceS` seconds without an exit code, KILL to the group, and exit code 137 written for it.
 */
export function stopScript(id: JobId, graceS: number): string {
  const ticks = Math.max(1, Math.round(graceS * 10));
  return [
    `cd "$HOME"/${jobDir(id)} 2>/dev/null || { echo ${MARK.missing} >&2; exit 3; }`,
    "[ -f exit ] && exit 0",
    'pid=$(cat pid 2>/dev/null); pg=$(cat pgid 2>/dev/null); [ -n "$pid" ] || exit 0',
    'if [ "$pg" = "$pid" ]; then t="-$pg"; else t="$pid"; fi',
    'kill -s TERM -- "$t" 2>/dev/null',
    `i=0; while [ ! -f exit ] && [ $i -lt ${ticks} ]; do sleep 0.1; i=$((i + 1)); done`,
    "[ -f exit ] && exit 0",
    'kill -s KILL -- "$t" 2>/dev/null; sleep 0.2',
    "[ -f exit ] || { date +%s > ended; echo 137 > exit.tmp && mv exit.tmp exit; }",
  ].join("\n");
}

export type JobState = "running" | "exited" | "lost";

export interface JobStatus {
  id: JobId;
  /** running: the wrapper is alive; exited: the exit code is in; lost: the wrapper is gone without one (killed, or the server rebooted). */
  state: JobState;
  exitCode?: number;
  pid?: number;
  /** ms since the epoch (second resolution). */
  startedAt?: number;
  endedAt?: number;
  /** Size of the log: attach from here to get only what comes next. */
  logBytes: number;
  /** The command's first line. */
  command: string;
}

/** The key=value blocks the status/list scripts print. */
export function parseStatus(text: string): JobStatus[] {
  const out: JobStatus[] = [];
  let kv: Record<string, string> = {};
  for (const line of text.split("\n")) {
    if (line === "end") {
      const num = (k: string) => (kv[k] !== undefined && /^\d+$/.test(kv[k]) ? Number(kv[k]) : undefined);
      const exitCode = num("exit");
      const state: JobState = exitCode !== undefined ? "exited" : kv.alive === "1" ? "running" : "lost";
      const secs = (k: string) => (num(k) !== undefined ? num(k)! * 1000 : undefined);
      out.push({
        id: kv.id ?? "",
        state,
        exitCode,
        pid: num("pid"),
        startedAt: secs("started"),
        endedAt: secs("ended"),
        logBytes: num("bytes") ?? 0,
        command: kv.command ?? "",
      });
      kv = {};
      continue;
    }
    const eq = line.indexOf("=");
    if (eq > 0) kv[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

export interface LogLine {
  stream: "stdout" | "stderr";
  text: string;
  /** Byte offset just after this line in the job's log: attach from here to resume after it. */
  endOffset: number;
}

/**
 * Job log bytes in, whole lines out, with the byte offset after each. Only complete lines
 * are handed out, so `offset` is always at a line start: resuming from it after a drop gives
 * no gap and no duplicate (a partial line in flight is simply read again).
 */
export class LogReader {
  private pending = Buffer.alloc(0);

  constructor(
    /** Offset of the first byte pushed. */
    public offset: number,
    private readonly onLine: (line: LogLine) => void,
  ) {}

  push(chunk: Buffer): void {
    let buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    for (let nl = buf.indexOf(0x0a); nl !== -1; nl = buf.indexOf(0x0a)) {
      const raw = buf.subarray(0, nl);
      this.offset += nl + 1;
      buf = buf.subarray(nl + 1);
      const tag = raw.subarray(0, 2).toString("latin1");
      const stream = tag === LOG_PREFIX.stderr ? "stderr" : "stdout";
      const body = tag === LOG_PREFIX.stderr || tag === LOG_PREFIX.stdout ? raw.subarray(2) : raw;
      this.onLine({ stream, text: body.toString("utf8").replace(/\r$/, ""), endOffset: this.offset });
    }
    this.pending = Buffer.from(buf);
  }

  /** Bytes of an unfinished line held back (read again on resume). */
  get held(): number {
    return this.pending.length;
  }
}
