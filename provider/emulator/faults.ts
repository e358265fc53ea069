import { z } from "zod";
import { ENDPOINTS, type EndpointName } from "../sdk";
import { renderIssues } from "./util";

/**
 * Failures a client must survive, injected for the next N matching requests:
 * - `db-error`: HTTP 500 `{"code":1}`
 * - `rate-limit`: HTTP 429 `{"code":5}` (a burst, whatever the real budget says)
 * - `delay`: wait `delayMs` (real ms), then answer normally
 * - `drop`: destroy the socket without answering
 * - `create-then-error`: do the request for real (create_order really rents), then answer HTTP 500 `{"code":1}`
 * - `create-then-drop`: do the request for real, then drop the connection
 * - `malformed`: HTTP 200 with truncated JSON `{"code":0,"orders":[`
 * - `not-json`: an HTML error page (HTTP 502 unless `httpStatus`)
 * - `field-error`: HTTP 200 `{"code":6,"error":<error>, ...fields}`
 * - `ssh-drop`: not an API request: the next SSH command (exec or shell) on any order's sshd
 *   starts, and `delayMs` real ms later the connection is cut (the command is killed)
 * `delayMs` works with every kind: the wait comes first.
 */
export const FAULT_KINDS = [
  "db-error",
  "rate-limit",
  "delay",
  "drop",
  "create-then-error",
  "create-then-drop",
  "malformed",
  "not-json",
  "field-error",
  "ssh-drop",
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
/** Kinds that hit SSH sessions (emulator sshd), never API requests. */
export const SSH_FAULT_KINDS: readonly FaultKind[] = ["ssh-drop"];
const isSshKind = (k: FaultKind) => SSH_FAULT_KINDS.includes(k);

const endpointNames = Object.keys(ENDPOINTS) as [EndpointName, ...EndpointName[]];

/** What `inject` and POST /_emulator/faults take. */
export const FaultSpec = z
  .strictObject({
    /** Endpoint name (e.g. "create_order") or "*" for every API endpoint. Default "*". */
    endpoint: z.union([z.enum(endpointNames), z.literal("*")]).default("*"),
    kind: z.enum(FAULT_KINDS),
    /** How many matching requests it hits; "always" until cleared. Default 1. */
    times: z
      .union([
        z
          .number()
          .positive()
          .refine((n) => Number.isInteger(n) || n === Infinity, "must be a whole number"),
        z.literal("always"),
      ])
      .default(1),
    /** Real milliseconds to wait before the fault (or, for "delay", before answering). */
    delayMs: z.number().int().nonnegative().optional(),
    /** The `error` string of a field-error. */
    error: z.string().min(1).optional(),
    /** Extra fields of a field-error answer, e.g. `{ "min_price": 3.2 }`. */
    fields: z.record(z.string(), z.unknown()).optional(),
    /** HTTP status override for db-error, rate-limit, malformed, not-json and field-error. */
    httpStatus: z.number().int().min(100).max(599).optional(),
  })
  .refine((f) => f.kind !== "field-error" || f.error !== undefined, {
    message: "field-error needs an `error` string",
    path: ["error"],
  })
  .refine((f) => f.kind !== "delay" || f.delayMs !== undefined, { message: "delay needs `delayMs`", path: ["delayMs"] })
  .refine((f) => !isSshKind(f.kind) || f.endpoint === "*", {
    message: "SSH faults hit SSH commands, not an API endpoint: leave `endpoint` out",
    path: ["endpoint"],
  });
export type FaultSpec = z.input<typeof FaultSpec>;

export interface ActiveFault {
  id: number;
  endpoint: EndpointName | "*";
  kind: FaultKind;
  /** Requests it will still hit (Infinity: until cleared). */
  remaining: number;
  delayMs: number;
  error?: string;
  fields?: Record<string, unknown>;
  httpStatus?: number;
}

/** Faults waiting for requests; the first injected fault that matches a request takes it. */
export class FaultInjector {
  private faults: ActiveFault[] = [];
  private nextId = 1;

  /** Add a fault; throws a RangeError naming the bad field for an invalid spec. */
  inject(spec: FaultSpec): ActiveFault {
    const r = FaultSpec.safeParse(spec);
    if (!r.success) throw new RangeError(`invalid fault: ${renderIssues(r.error, "fault")}`);
    const f = r.data;
    const fault: ActiveFault = {
      id: this.nextId++,
      endpoint: f.endpoint,
      kind: f.kind,
      remaining: f.times === "always" ? Infinity : f.times,
      delayMs: f.delayMs ?? 0,
      error: f.error,
      fields: f.fields,
      httpStatus: f.httpStatus,
    };
    this.faults.push(fault);
    return fault;
  }

  clear(): void {
    this.faults = [];
  }

  /** Faults still waiting (copies). */
  list(): ActiveFault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  /** The fault for this request, if any; consumes one of its `times`. */
  take(endpoint: EndpointName): ActiveFault | undefined {
    return this.consume(this.faults.find((x) => !isSshKind(x.kind) && (x.endpoint === "*" || x.endpoint === endpoint)));
  }

  /** The SSH fault of this kind for the command starting now, if any; consumes one of its `times`. */
  takeSsh(kind: FaultKind): ActiveFault | undefined {
    return this.consume(this.faults.find((x) => x.kind === kind));
  }

  private consume(f: ActiveFault | undefined): ActiveFault | undefined {
    if (!f) return undefined;
    f.remaining -= 1;
    if (f.remaining <= 0) this.faults = this.faults.filter((x) => x !== f);
    return { ...f };
  }
}
