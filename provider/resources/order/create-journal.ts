import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CREATE_ORDER_SHAPE, cloreCacheDir, fields, type PendingOrder } from "../../sdk";
import type { ServerFacts } from "./schema";

/**
 * Creates in flight, recorded on this machine, one small file per resource (by URN) and
 * account. A `pulumi up` killed while it rents leaves the engine with an id-less pending
 * create: the next plain `pulumi up` calls create again. Without this record that create
 * would rent a second server (with `select`, the first now shows as taken) while the first
 * keeps billing. With it, create first looks for the order the interrupted one made and
 * continues with it.
 */
export interface InFlightCreate extends PendingOrder {
  /** Set once the order was found in my_orders. */
  orderId?: number;
  /** The chosen server's facts (find-and-rent), kept in outputs. */
  server?: ServerFacts;
  /** A hash of what create_order was given, without the server: changed inputs mean a different order. */
  request: string;
  /** When the create started (ISO 8601), for messages. */
  at: string;
}

export class CreateJournal {
  private readonly path: string;

  constructor(account: string, urn: string, dir = cloreCacheDir("creates", "CLORE_CREATES_DIR")) {
    const name = createHash("sha256").update(urn).digest("hex").slice(0, 24);
    this.path = join(dir, account, `${name}.json`);
  }

  read(): InFlightCreate | undefined {
    try {
      return JSON.parse(readFileSync(this.path, "utf8")) as InFlightCreate;
    } catch {
      return undefined;
    }
  }

  /** Written before each create_order and again once the order is known. */
  record(entry: InFlightCreate): void {
    try {
      mkdirSync(join(this.path, ".."), { recursive: true, mode: 0o700 });
      const tmp = `${this.path}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(entry), { mode: 0o600 });
      renameSync(tmp, this.path);
    } catch {
      // No writable cache dir: the engine's own pending-operation record and `clore orphans` remain.
    }
  }

  /** The stack holds the outcome now (an order id or a pending handle), or nothing was rented. */
  clear(): void {
    rmSync(this.path, { force: true });
  }
}

/**
 * What create_order was given, apart from the server (find-and-rent may pick another) and the
 * values of secret fields (a file on disk holds no hash of a password): image, ports, command,
 * and of a secret map (env) only its names.
 */
export function requestHash(values: object): string {
  const kept = Object.entries(values)
    .filter(([k]) => k !== "serverId" && k !== "requiredPrice")
    .map(([k, v]) => {
      const field = CREATE_ORDER_SHAPE[k as keyof typeof CREATE_ORDER_SHAPE];
      if (!field || !fields.isSecret(field)) return [k, v];
      return v && typeof v === "object" ? [`${k}Names`, Object.keys(v).sort()] : [];
    })
    .filter((e) => e.length);
  const sorted = Object.fromEntries(kept.sort(([a], [b]) => String(a).localeCompare(String(b))));
  return createHash("sha256").update(JSON.stringify(sorted)).digest("hex").slice(0, 16);
}
