/**
 * pulumi-clore/ssh: run jobs on a rented server over SSH from Node (ssh2, pure JS — no ssh
 * binary needed). Connect from an order's outputs, wait until sshd accepts, run commands with
 * live output, copy files and directories both ways. Host keys: trust on first use within the
 * job, never written to known_hosts (host-keys.ts).
 */
export { connectSsh, type ConnectOptions, type ConnectWait, type SshTarget } from "./connect";
export type { ByteSink, RunOptions, RunResult, ShellOptions, SshSession, TransferResult } from "./session";
export { TrustOnFirstUse, hostKeyFingerprint, pinnedHostKey, type HostKeyPolicy } from "./host-keys";
export { shellQuote } from "./remote-script";
export { LineSplitter } from "./line-splitter";
