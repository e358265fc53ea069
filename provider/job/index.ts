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
export { withEphemeralStack, destroyStack, type EphemeralStackSpec, type StackHandle } from "./ephemeral-stack";
export { RestartPolicy, type RestartOptions, type Restart, type RestartKind } from "./restart";
export { type DetachedJob, STACK_TAG } from "./detach";
export { JobRecord, readJobRecord, recordPath, writeJobRecord } from "./job-record";
export { type RunState, type RunStatus, type StepState, continueRun, runStatus } from "./job-plan";
export { JobConnection, type JobConnectionDeps, type ReconnectOptions, type StepPosition } from "./job-connection";
export {
  CheckpointOptions,
  type CheckpointSettings,
  type CheckpointTransfer,
  parseCheckpointOptions,
  pullCheckpoint,
  pushCheckpoint,
} from "./checkpoint";
export { RESUME_ENV, withCheckpoints, type CheckpointSyncSpec } from "./checkpoint-sync";
export * as remote from "./remote";
