import { resolve } from "node:path";
import type { Stack } from "@pulumi/pulumi/automation";
import type { Command } from "commander";
import { type RunStatus, type StepState, continueRun, runStatus } from "../../job/job-plan";
import { runSteps } from "../../job/job-steps";
import { type LogLine, LogReader, attachJob, jobDir, jobStatus, stopJob } from "../../job/remote";
import type { SshSession } from "../../ssh";
import { type CliCommand, defineCommand } from "../command";
import type { CliContext } from "../context";
import { CliError } from "../errors";
import { duration, plural } from "../format";
import { type JobStackOptions, type OpenJobStack, openJobStack, orderEndedReason, selectJobStack } from "../job-stack";
import { nonNegativeNumber, positiveInt } from "../parse";
import type { ListResult, MessageResult } from "../render";

const STACK_ARG = {
  syntax: "<stack>",
  description: "the stack runJob brought up (its stackName, e.g. ci-4242-1)",
};

const JOB_HELP =
  "Finds the stack through Pulumi's backend (PULUMI_BACKEND_URL, the project in --cwd), logs in to its server " +
  "with the order's sshPassword from the stack's state (decrypted with PULUMI_CONFIG_PASSPHRASE) unless " +
  "--password-env or --identity is given, pins the host key the runner saw (stack tag clore:host-key) and " +
  "reads the run's record on the server (~/.clore/runs/<stack>.json). A dropped connection is reconnected.";

function jobOptions(cmd: Command): void {
  cmd
    .option("--cwd <dir>", "the stack's Pulumi project directory (runJob's workDir)", ".")
    .option("--user <name>", "SSH user", "root")
    .option("--password-env <VAR>", "read the SSH password from this environment variable instead of the state")
    .option("-i, --identity <file>", "log in with this private key (an order made with sshKey)")
    .option("--wait <seconds>", "how long to wait for the server's sshd to accept", positiveInt, 60);
}

/** The options of a command that reads one job's log: where to start, and which job. */
function logOptions(cmd: Command): void {
  cmd.option("--from <bytes>", "start at this byte offset of the log", byteOffset, 0).option("--job <id>", JOB_CHOICE);
}

const JOB_CHOICE = "another job of the run (see clore job status)";

function byteOffset(value: string): number {
  const n = nonNegativeNumber(value);
  if (!Number.isSafeInteger(n)) throw new CliError("--from takes a whole number of bytes.");
  return n;
}

/** Open the stack's run, hand it to `use`, close the session in every case. */
async function withRun<T>(
  ctx: CliContext,
  stackName: string,
  o: JobStackOptions,
  use: (run: OpenJobStack) => Promise<T>,
): Promise<T> {
  const run = await openJobStack(ctx, stackName, o);
  try {
    return await use(run);
  } finally {
    await run.close().catch(() => undefined);
  }
}

const status = (run: OpenJobStack) =>
  run.conn.use(
    () => ({ during: "status", notRun: [] }),
    (ssh) => runStatus(ssh, run.record),
  );

/** The job a command acts on: --job, else the current one (running, next, failed, or the last). */
function target(s: RunStatus, jobId?: string): StepState {
  if (jobId === undefined) return s.current;
  const step = s.steps.find((x) => x.jobId === jobId);
  if (!step)
    throw new CliError(`the run has no job ${jobId}.`, {
      hint: `Its jobs: ${s.steps.map((x) => x.jobId).join(", ")}`,
    });
  return step;
}

function started(step: StepState, stackName: string): asserts step is StepState & { status: object } {
  if (!step.status)
    throw new CliError(`"${step.command}" (job ${step.jobId}) has not started.`, {
      hint: `clore job finish ${stackName} starts the commands not run yet.`,
    });
}

const writeLine = (ctx: CliContext) => (l: LogLine) =>
  (l.stream === "stderr" ? ctx.io.stderr : ctx.io.stdout).write(`${l.text}\n`);

function describe(s: RunStatus): string {
  const step = `${s.current.index + 1}/${s.steps.length}`;
  switch (s.state) {
    case "running":
      return `running (command ${step}: ${s.current.command})`;
    case "pending":
      return `pending (command ${step} not started: clore job finish runs it)`;
    case "lost":
      return `lost (command ${step} died without an exit code)`;
    case "exited":
      return s.exitCode === 0 ? "exited with code 0" : `exited with code ${s.exitCode} (command ${step})`;
  }
}

function stepJson(s: StepState) {
  return {
    command: s.command,
    jobId: s.jobId,
    state: s.status?.state ?? "not-started",
    exitCode: s.status?.exitCode ?? null,
    startedAt: s.status?.startedAt ? new Date(s.status.startedAt).toISOString() : null,
    endedAt: s.status?.endedAt ? new Date(s.status.endedAt).toISOString() : null,
    logBytes: s.status?.logBytes ?? 0,
  };
}

/** Waiting with a progress line (a spinner on a terminal, a line every 30 s otherwise). */
async function waitForExit(
  ctx: CliContext,
  what: string,
  go: (onLine: (l: LogLine) => void) => Promise<number>,
): Promise<number> {
  const t0 = Date.now();
  let last = "";
  let lines = 0;
  const text = () =>
    `waiting for ${what}: ${duration(Math.round((Date.now() - t0) / 1000))}, ${plural(lines, "new line")}${last ? `; last: ${last.slice(0, 80)}` : ""}`;
  const progress = ctx.output.progress(text());
  const timer = setInterval(() => progress.update(text()), ctx.io.stderr.isTTY ? 1000 : 30_000);
  try {
    const code = await go((l) => {
      lines++;
      last = l.text;
    });
    progress.stop(`${what} exited with code ${code} after ${duration(Math.round((Date.now() - t0) / 1000))}`);
    return code;
  } catch (e) {
    progress.stop();
    throw e;
  } finally {
    clearInterval(timer);
  }
}

function exitWith(code: number, message: string, json: unknown): MessageResult {
  if (code !== 0) throw new CliError(message, { exitCode: code });
  return { kind: "message", json, text: "" };
}

interface Opts extends JobStackOptions {
  job?: string;
}

const statusCommand = defineCommand<Opts>({
  name: "status",
  args: [STACK_ARG],
  summary: "Show the state of each command of the stack's run",
  description: `Each command of the run, its job id, state (running, exited, lost, not-started), exit code and log size. ${JOB_HELP}`,
  configure: jobOptions,
  examples: ["clore job status ci-4242-1 --cwd examples/ci-training", "clore job status ci-4242-1 --json"],
  async run(ctx, args, o): Promise<ListResult<StepState>> {
    const stackName = args[0] as string;
    return withRun(ctx, stackName, o, async (run) => {
      const s = await status(run);
      return {
        kind: "list",
        header: [
          ["Stack", stackName],
          ["Order", run.orderId !== undefined ? String(run.orderId) : undefined],
          ["Server", `${run.host}:${run.port}${run.pinned ? " (host key pinned)" : ""}`],
          ["Run", describe(s)],
        ],
        rows: s.steps,
        columns: [
          { header: "#", value: (r) => r.index + 1, align: "right" },
          { header: "Job", value: (r) => r.jobId },
          { header: "State", value: (r) => r.status?.state ?? "not-started" },
          { header: "Exit", value: (r) => r.status?.exitCode, align: "right" },
          {
            header: "Time",
            value: (r) =>
              r.status?.startedAt
                ? duration(Math.round(((r.status.endedAt ?? Date.now()) - r.status.startedAt) / 1000))
                : undefined,
            align: "right",
          },
          { header: "Log", value: (r) => r.status?.logBytes, align: "right" },
          { header: "Command", value: (r) => r.command, maxWidth: 60 },
        ],
        empty: "The run has no commands.",
        json: {
          stack: stackName,
          orderId: run.orderId ?? null,
          host: run.host,
          port: run.port,
          hostKeyPinned: run.pinned,
          detached: run.record.detached,
          state: s.state,
          exitCode: s.exitCode ?? null,
          current: s.current.jobId,
          steps: s.steps.map(stepJson),
        },
      };
    });
  },
});

const logsCommand = defineCommand<Opts & { from: number }>({
  name: "logs",
  args: [STACK_ARG],
  summary: "Print the log of the stack's current job so far",
  description: `The log of the job that runs (or the one that failed, or the last), as far as it is written, stdout lines on stdout and stderr lines on stderr; --from BYTES starts at a byte offset. --json gives the lines and endOffset, the offset to pass to "clore job attach --from" for the rest with no gap and no duplicate. ${JOB_HELP}`,
  configure(cmd) {
    jobOptions(cmd);
    logOptions(cmd);
  },
  examples: ["clore job logs ci-4242-1", "clore job logs ci-4242-1 --json | jq .endOffset"],
  async run(ctx, args, o): Promise<MessageResult> {
    const stackName = args[0] as string;
    return withRun(ctx, stackName, o, async (run) => {
      const step = target(await status(run), o.job);
      started(step, stackName);
      const lines: LogLine[] = [];
      const endOffset = await run.conn.use(
        () => ({ during: `read the log of ${step.jobId}`, notRun: [] }),
        (ssh) => readLog(ssh, step.jobId, o.from, (l) => lines.push(l)),
      );
      if (!ctx.output.json) for (const l of lines) writeLine(ctx)(l);
      return {
        kind: "message",
        text: "",
        json: { jobId: step.jobId, state: step.status!.state, fromOffset: o.from, endOffset, lines },
      };
    });
  },
});

/** The log's whole lines from `from` to what is written now; returns the offset after the last. */
async function readLog(ssh: SshSession, id: string, from: number, onLine: (l: LogLine) => void): Promise<number> {
  const { logBytes } = await jobStatus(ssh, id);
  const reader = new LogReader(from, onLine);
  if (logBytes > from)
    await ssh.run(`tail -c +${from + 1} ${jobDir(id)}/log | head -c ${logBytes - from}`, {
      check: true,
      stdout: { write: (b: Buffer) => reader.push(b) },
    });
  return reader.offset;
}

const attachCommand = defineCommand<Opts & { from: number }>({
  name: "attach",
  args: [STACK_ARG],
  summary: "Stream the stack's current job's log to its end and exit with its code",
  description: `Streams the log of the job that runs (or has ended) from --from BYTES (default 0: all of it) to its end, live, stdout lines on stdout and stderr lines on stderr, and exits with the job's exit code. The last line on stderr gives the log's end offset: attaching again with --from there continues with no gap and no duplicate. ${JOB_HELP}`,
  configure(cmd) {
    jobOptions(cmd);
    logOptions(cmd);
  },
  examples: ["clore job attach ci-4242-1", "clore job attach ci-4242-1 --from 18231"],
  async run(ctx, args, o): Promise<MessageResult> {
    const stackName = args[0] as string;
    return withRun(ctx, stackName, o, async (run) => {
      const step = target(await status(run), o.job);
      started(step, stackName);
      let offset = o.from;
      const show = writeLine(ctx);
      const r = await run.conn.use(
        () => ({ during: step.command, jobId: step.jobId, logBytes: offset, notRun: [] }),
        (ssh) =>
          attachJob(ssh, step.jobId, {
            fromOffset: offset,
            idleTimeoutMs: run.conn.idleTimeoutMs,
            onLine: (l) => {
              offset = l.endOffset;
              if (!ctx.output.json) show(l);
            },
          }),
      );
      const said = `job ${step.jobId} exited with code ${r.exitCode} (log ends at byte ${r.endOffset})`;
      ctx.output.info(said);
      const later = run.record.steps.slice(step.index + 1);
      if (r.exitCode === 0 && later.length && o.job === undefined)
        ctx.output.info(
          `${plural(later.length, "later command")} not attached: clore job finish ${stackName} runs them`,
        );
      return exitWith(r.exitCode, `${said}.`, { jobId: step.jobId, exitCode: r.exitCode, endOffset: r.endOffset });
    });
  },
});

const waitCommand = defineCommand<Opts>({
  name: "wait",
  args: [STACK_ARG],
  summary: "Wait until the stack's current job exits, and exit with its code",
  description: `Blocks until the job that runs exits (a progress line on stderr), then exits with its exit code; at once when it has ended. ${JOB_HELP}`,
  configure(cmd) {
    jobOptions(cmd);
    cmd.option("--job <id>", JOB_CHOICE);
  },
  examples: ["clore job wait ci-4242-1 && clore job finish ci-4242-1"],
  async run(ctx, args, o): Promise<MessageResult> {
    const stackName = args[0] as string;
    return withRun(ctx, stackName, o, async (run) => {
      const step = target(await status(run), o.job);
      started(step, stackName);
      const what = `job ${step.jobId}`;
      const code = await waitForExit(ctx, what, async (onLine) => {
        let offset = step.status.logBytes;
        const r = await run.conn.use(
          () => ({ during: step.command, jobId: step.jobId, logBytes: offset, notRun: [] }),
          (ssh) =>
            attachJob(ssh, step.jobId, {
              fromOffset: offset,
              idleTimeoutMs: run.conn.idleTimeoutMs,
              onLine: (l) => {
                offset = l.endOffset;
                onLine(l);
              },
            }),
        );
        return r.exitCode;
      });
      return exitWith(code, `${what} exited with code ${code}.`, { jobId: step.jobId, exitCode: code });
    });
  },
});

const stopCommand = defineCommand<Opts & { grace: number }>({
  name: "stop",
  args: [STACK_ARG],
  summary: "Stop the stack's current job (TERM, then KILL)",
  description: `Sends SIGTERM to the job's process group and SIGKILL after --grace seconds if it has not ended; the exit code is recorded (143 after TERM, 137 after KILL). The stack stays up: clore job finish downloads and destroys it. ${JOB_HELP}`,
  configure(cmd) {
    jobOptions(cmd);
    cmd
      .option("--grace <seconds>", "seconds between SIGTERM and SIGKILL", positiveInt, 10)
      .option("--job <id>", JOB_CHOICE);
  },
  examples: ["clore job stop ci-4242-1", "clore job stop ci-4242-1 --grace 60"],
  async run(ctx, args, o): Promise<MessageResult> {
    const stackName = args[0] as string;
    return withRun(ctx, stackName, o, async (run) => {
      const step = target(await status(run), o.job);
      started(step, stackName);
      const s = await run.conn.use(
        () => ({ during: `stop ${step.jobId}`, notRun: [] }),
        (ssh) => stopJob(ssh, step.jobId, { graceMs: o.grace * 1000 }),
      );
      return {
        kind: "message",
        text: `Job ${step.jobId} ${s.state === "exited" ? `ended with exit code ${s.exitCode}` : `is ${s.state}`}.`,
        json: { jobId: step.jobId, state: s.state, exitCode: s.exitCode ?? null },
      };
    });
  },
});

const finishCommand = defineCommand<Opts & { into: string; ifDone?: boolean; log?: boolean }>({
  name: "finish",
  args: [STACK_ARG],
  summary: "Wait for the run's end, download its artifacts, destroy the stack, exit with the job's code",
  description: `Carries the run to its end: waits for the job that runs, starts the commands not run yet (with the run's cwd and variables), stops at the first non-zero exit code; then downloads what the run declared (its download list; relative local paths under --into), destroys the stack and removes it, and exits with the job's exit code. With --if-done a run whose job still runs is left as it is (exit 0): a scheduled workflow collects finished runs that way. ${JOB_HELP}`,
  configure(cmd) {
    jobOptions(cmd);
    cmd
      .option("--into <dir>", "where relative download paths go", ".")
      .option("--if-done", "do nothing (exit 0) while the job still runs")
      .option("--log", "stream the rest of the log while waiting (default: a progress line)");
  },
  examples: [
    "clore job finish ci-4242-1 --cwd examples/ci-training",
    "clore job finish ci-4242-1 --if-done --into artifacts-4242",
  ],
  async run(ctx, args, o): Promise<MessageResult> {
    const stackName = args[0] as string;
    const ref = await selectJobStack(ctx, stackName, o);
    const gone = await orderEndedReason(ctx, ref.orderId);
    if (gone) {
      // Nothing bills and nothing can be downloaded: the stack is all that is left.
      await destroy(ctx, ref.stack);
      throw new CliError(
        `order ${ref.orderId} of stack ${stackName} had ended (${gone}): the job is gone with its server; nothing downloaded; stack ${stackName} destroyed.`,
      );
    }
    const run = await openJobStack(ctx, stackName, o, ref);
    let outcome: { exitCode: number; failure?: unknown; downloaded: { files: number; bytes: number } };
    try {
      const before = await status(run);
      if (o.ifDone && before.state === "running") {
        return {
          kind: "message",
          text: `Stack ${stackName}: ${describe(before)}; left as it is.`,
          json: { stack: stackName, state: before.state, finished: false },
        };
      }
      let exitCode = 1;
      let failure: unknown;
      try {
        const show = writeLine(ctx);
        const rest = (onLine: (l: LogLine) => void) =>
          continueRun(run.conn, run.record, {
            fromOffset: o.log ? 0 : (before.current.status?.logBytes ?? 0),
            onLine: (l) => (o.log && !ctx.output.json ? show(l) : onLine(l)),
            onStep: (s, how) =>
              ctx.output.info(`${how === "started" ? "started" : "attached to"} job ${s.jobId}: ${s.command}`),
          }).then((r) => r.exitCode);
        exitCode = await waitForExit(ctx, `the run of ${stackName}`, rest);
      } catch (e) {
        failure = e; // a lost job: still download what is there, and destroy
      }
      const into = resolve(o.into);
      const download = run.record.download.map((d) => ({ remote: d.remote, local: resolve(into, d.local) }));
      const steps = await runSteps(run.conn, { commands: [], download }, (line) => ctx.output.info(line)).catch(
        (e: unknown) => {
          ctx.output.warn(`not downloaded: ${e instanceof Error ? e.message : String(e)}`);
          return { downloaded: { files: 0, bytes: 0 } };
        },
      );
      outcome = { exitCode, failure, downloaded: steps.downloaded };
    } finally {
      await run.close().catch(() => undefined);
    }
    await destroy(ctx, run.stack);
    const { exitCode, failure, downloaded } = outcome;
    const got = `${plural(downloaded.files, "file")} (${(downloaded.bytes / 1e6).toFixed(1)} MB) downloaded; stack ${stackName} destroyed`;
    if (failure !== undefined)
      throw new CliError(
        `the run of ${stackName} did not finish: ${failure instanceof Error ? failure.message : String(failure)}; ${got}.`,
      );
    if (exitCode !== 0)
      throw new CliError(`the run of ${stackName} exited with code ${exitCode}; ${got}.`, { exitCode });
    return {
      kind: "message",
      text: `The run of ${stackName} exited with code 0; ${got}.`,
      json: { stack: stackName, exitCode, downloaded, destroyed: true, finished: true },
    };
  },
});

async function destroy(ctx: CliContext, stack: Stack): Promise<void> {
  ctx.output.info(`pulumi destroy (stack ${stack.name})`);
  // Lazily: the Automation API loads only for the commands that need it.
  const { destroyStack } = await import("../../job/ephemeral-stack");
  await destroyStack(stack, (l) => ctx.output.info(l));
}

export const jobCommand: CliCommand = defineCommand({
  name: "job",
  summary: "Follow a runJob stack's job from any machine: attach, logs, status, wait, stop, finish",
  description:
    "A job started by runJob (pulumi-clore/job) runs detached on its server; these commands find it through the stack and carry it on: " +
    "attach streams its log and exits with its code, logs prints it so far, status shows each command, wait blocks until it exits, " +
    "stop ends it (TERM, then KILL), finish waits, downloads the artifacts, destroys the stack and exits with the job's code. " +
    JOB_HELP,
  examples: [
    "clore job status ci-4242-1 --cwd examples/ci-training",
    "clore job attach ci-4242-1",
    "clore job finish ci-4242-1 --if-done",
  ],
  subcommands: [attachCommand, logsCommand, statusCommand, waitCommand, stopCommand, finishCommand],
});
