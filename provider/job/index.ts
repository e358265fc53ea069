/**
 * pulumi-clore/job: ephemeral training stacks in CI. `runJob` rents a server with a Pulumi
 * stack, runs the job on it over SSH with live output, fetches the artifacts and destroys the
 * stack in every case; `exitCodeFor` turns its failure into the script's exit code.
 */
export { runJob, type JobOptions, type JobResult } from "./run-job";
export { exitCodeFor } from "./exit-code";
export { ciLog, type JobLog, type JobLogSource } from "./job-log";
export {
  runSteps,
  type JobSteps,
  type PathPair,
  type StepsControl,
  type StepsResult,
  type Totals,
} from "./job-steps";
export { appendStepSummary, formatDuration, summaryLine, summaryMarkdown, type JobSummary } from "./job-summary";
export { watchSpendCap, type SpendCapSpec, type SpendCapWatch } from "./spend-cap";
export { withEphemeralStack, type EphemeralStackSpec } from "./ephemeral-stack";
export { JobConnection, type JobConnectionDeps, type ReconnectOptions, type StepPosition } from "./job-connection";
export * as remote from "./remote";
