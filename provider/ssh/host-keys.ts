import { createHash } from "node:crypto";

/**
 * Host keys of rented servers. A fresh rental has a fresh host key that no known_hosts file
 * can know, and nothing the Clore API returns vouches for it. So the default is trust on first
 * use within the job: the first connection to host:port records the key in memory, and every
 * later connection of the same job (a reconnect, an upload) must show the same key. Nothing is
 * written to ~/.ssh/known_hosts. Pin a key you obtained out of band with `pinnedHostKey`.
 */
export interface HostKeyPolicy {
  /** Undefined to accept; otherwise the fingerprint that was expected (for the error). */
  check(host: string, port: number, fingerprint: string): string | undefined;
}

/** OpenSSH's fingerprint of a raw host key blob: `SHA256:` + unpadded base64, as `ssh-keygen -l` prints it. */
export function hostKeyFingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash("sha256").update(keyBlob).digest("base64").replace(/=+$/, "")}`;
}

/** Trust on first use, remembered for the life of this object (one per job). */
export class TrustOnFirstUse implements HostKeyPolicy {
  private readonly seen = new Map<string, string>();

  check(host: string, port: number, fingerprint: string): string | undefined {
    const key = `${host}:${port}`;
    const known = this.seen.get(key);
    if (known === undefined) this.seen.set(key, fingerprint);
    return known === undefined || known === fingerprint ? undefined : known;
  }

  /** The fingerprint trusted for host:port, if any. */
  trusted(host: string, port: number): string | undefined {
    return this.seen.get(`${host}:${port}`);
  }
}

/** Accept only this fingerprint (`SHA256:…` as `ssh-keygen -lf` prints it), whatever the host. */
export function pinnedHostKey(fingerprint: string): HostKeyPolicy {
  return { check: (_host, _port, actual) => (actual === fingerprint ? undefined : fingerprint) };
}
