import { appendFileSync } from "node:fs";
import { type JobArtifact, type OrderCost, describeArtifacts, formatCost } from "../sdk";

/** What a job was, ran on and cost: runJob's last log line and the CI step summary, in every outcome. */
export interface JobSummary {
  stackName: string;
  orderId?: number;
  serverId?: number;
  /** GPU model of the rented server, e.g. "2x NVIDIA GeForce RTX 4090". */
  gpu?: string;
  /** Servers the job ran on (1: a job is not restarted elsewhere). */
  attempts: number;
  durationMs: number;
  cost?: OrderCost;
  /** 0 when the job succeeded; otherwise exitCodeFor(its error). */
  exitCode: number;
  artifacts: JobArtifact[];
  /** The failure's first line, when it failed. */
  error?: string;
}

/** `42 s`, `3 min 05 s`, `2 h 01 min`. */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")} min`;
}

function where(s: JobSummary): string {
  const server = s.serverId === undefined ? "server ?" : `server ${s.serverId}`;
  return `order ${s.orderId ?? "?"} on ${server}${s.gpu ? ` (${s.gpu})` : ""}`;
}

/** The job's last log line: outcome, duration, where it ran, attempts, cost and artifacts. */
export function summaryLine(s: JobSummary): string {
  const outcome = s.exitCode === 0 ? "done" : `failed (exit code ${s.exitCode})`;
  const attempts = `${s.attempts} attempt${s.attempts === 1 ? "" : "s"}`;
  return `${outcome} in ${formatDuration(s.durationMs)}: ${where(s)}, ${attempts}, cost ${formatCost(s.cost)}; downloaded ${describeArtifacts(s.artifacts)}`;
}

/** A table cell: one line, pipes escaped. */
function cell(text: string): string {
  return text.replace(/\s*\n\s*/g, " ").replace(/\|/g, "\\|");
}

/** The Markdown for GitHub's job summary: a heading, one table row, the failure if any. */
export function summaryMarkdown(s: JobSummary): string {
  const outcome = s.exitCode === 0 ? "succeeded" : "failed";
  const artifacts = s.artifacts.length
    ? s.artifacts.map((a) => `\`${a.local}\` (${a.files} files, ${(a.bytes / 1e6).toFixed(1)} MB)`).join("<br>")
    : "none";
  const row = [
    s.gpu ?? "?",
    s.serverId === undefined ? "?" : `${s.serverId} (order ${s.orderId ?? "?"})`,
    String(s.attempts),
    formatDuration(s.durationMs),
    formatCost(s.cost),
    String(s.exitCode),
    artifacts,
  ].map(cell);
  const lines = [
    `### Clore job \`${cell(s.stackName)}\` ${outcome}`,
    "",
    "| GPU | Server | Attempts | Duration | Cost | Exit code | Artifacts |",
    "| --- | --- | ---: | ---: | ---: | ---: | --- |",
    `| ${row.join(" | ")} |`,
    "",
  ];
  if (s.error) lines.push(`> ${cell(s.error)}`, "");
  if (s.cost?.approximate) lines.push("≈: estimated or converted at an inferred rate.", "");
  return `${lines.join("\n")}\n`;
}

/**
 * Append the summary to `$GITHUB_STEP_SUMMARY` when it is set (GitHub Actions). A file that
 * cannot be written is logged and never fails the job. Returns whether it was written.
 */
export function appendStepSummary(
  s: JobSummary,
  env: Record<string, string | undefined>,
  warn: (line: string) => void,
): boolean {
  const file = env.GITHUB_STEP_SUMMARY;
  if (!file) return false;
  try {
    appendFileSync(file, summaryMarkdown(s));
    return true;
  } catch (e) {
    warn(`the job summary was not written to GITHUB_STEP_SUMMARY (${(e as Error).message})`);
    return false;
  }
}
