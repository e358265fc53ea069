import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { cloreCacheDir } from "./cache-dir";
import { type Clock, systemClock } from "./clock";

/**
 * Bad hosts: servers find-and-rent avoids for a while, remembered on this machine per account
 * (one file per account id, which is a fingerprint of the key, never the key) and per image.
 * A server whose order never became reachable, or that died under a running job, is likely to
 * do it again; renting it again costs a boot and a readiness wait for nothing.
 *
 * Best effort on both ends: a missing, unreadable or corrupt file avoids nothing, a failed
 * write is ignored. Only a fixed `serverId` can still rent a marked server.
 */

/** Why a server is avoided. */
export const BadHostReason = z.enum(["never-reachable", "lost-mid-job"]);
export type BadHostReason = z.output<typeof BadHostReason>;

/** How long each reason keeps a server avoided: the one place these defaults live. */
export const BadHostTtls = z.strictObject({
  "never-reachable": z
    .number()
    .int()
    .positive()
    .default(24 * 3_600_000)
    .meta({ description: "An order on it never became reachable (the readiness wait failed). Default 24 h." }),
  "lost-mid-job": z
    .number()
    .int()
    .positive()
    .default(6 * 3_600_000)
    .meta({
      description:
        "Its order ended under a running job (outbid, host offline), as the API says. Default 6 h: often a spot market, not a broken host.",
    }),
});
export type BadHostTtls = z.output<typeof BadHostTtls>;

const Entry = z.object({
  serverId: z.number().int(),
  /** The image the order ran; "*" for any. */
  image: z.string(),
  reason: BadHostReason,
  /** ms since the epoch. */
  at: z.number(),
  until: z.number(),
});
export type BadHost = z.output<typeof Entry>;

const ANY_IMAGE = "*";

export interface BadHostsOptions {
  /** Default `$XDG_CACHE_HOME/pulumi-clore/bad-hosts`, or CLORE_BAD_HOSTS_DIR (in `env`). */
  dir?: string;
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  ttls?: Partial<BadHostTtls>;
}

export class BadHosts {
  private readonly path: string;
  private readonly clock: Clock;
  private readonly ttls: BadHostTtls;

  /** `account`: CloreClient.account (a fingerprint of the key and the API's URL). */
  constructor(account: string, o: BadHostsOptions = {}) {
    const dir = o.dir ?? cloreCacheDir("bad-hosts", "CLORE_BAD_HOSTS_DIR", o.env);
    this.path = join(dir, `${account}.json`);
    this.clock = o.clock ?? systemClock;
    this.ttls = BadHostTtls.parse(o.ttls ?? {});
  }

  /** Avoid `serverId` for `image` (undefined: any image) for the reason's ttl; a later mark extends, never shortens. */
  mark(serverId: number, image: string | undefined, reason: BadHostReason): BadHost {
    const now = this.clock.now();
    const scope = image || ANY_IMAGE;
    const fresh: BadHost = { serverId, image: scope, reason, at: now, until: now + this.ttls[reason] };
    const live = this.live(now);
    const same = (e: BadHost) => e.serverId === serverId && e.image === scope;
    const prior = live.find(same);
    const entry = prior && prior.until > fresh.until ? prior : fresh;
    this.write([...live.filter((e) => !same(e)), entry]);
    return entry;
  }

  /** The servers avoided for `image` now (marks for that image and for any image). */
  avoided(image: string | undefined): Map<number, BadHost> {
    const scope = image || ANY_IMAGE;
    const out = new Map<number, BadHost>();
    for (const e of this.live(this.clock.now())) {
      if (e.image === scope || e.image === ANY_IMAGE || scope === ANY_IMAGE) out.set(e.serverId, e);
    }
    return out;
  }

  /** Every mark still in force. */
  list(): BadHost[] {
    return this.live(this.clock.now());
  }

  private live(now: number): BadHost[] {
    return this.read().filter((e) => e.until > now);
  }

  private read(): BadHost[] {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(this.path, "utf8"));
    } catch {
      return [];
    }
    const hosts = (raw as { hosts?: unknown })?.hosts;
    if (!Array.isArray(hosts)) return [];
    // One bad entry costs only itself.
    return hosts.flatMap((h) => {
      const e = Entry.safeParse(h);
      return e.success ? [e.data] : [];
    });
  }

  private write(hosts: BadHost[]): void {
    try {
      mkdirSync(join(this.path, ".."), { recursive: true, mode: 0o700 });
      const tmp = `${this.path}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify({ version: 1, hosts }), { mode: 0o600 });
      renameSync(tmp, this.path);
    } catch {
      // No writable cache dir: nothing is avoided, which is what happened before bad hosts.
    }
  }
}
