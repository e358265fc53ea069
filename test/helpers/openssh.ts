/**
 * OpenSSH client options for a throw-away server on loopback: no host key check or record
 * (every emulator run has a new host key), never prompt, errors only. Shared by the OpenSSH
 * specs and the bench (no imports: the bench's snapshot copies test/helpers alone).
 */
export const OPENSSH_OPTIONS = [
  "-o",
  "StrictHostKeyChecking=no",
  "-o",
  "UserKnownHostsFile=/dev/null",
  "-o",
  "BatchMode=yes",
  "-o",
  "LogLevel=ERROR",
];
