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
 *   starts, and `delayMs` real ms later the connection is cut (no signal, as OpenSSH: the
 *   command's pipes close, so it dies of SIGPIPE at its next write to them)
 * my_orders answers that are well-formed but wrong (what a glitch, a deprecated field or a
 * proxy's stale page look like: code 0, HTTP 200); `returnCompleted` limits them to requests
 * with (true) or without (false) `return_completed=true`:
 * - `orders-empty`: `orders: []`
 * - `orders-omit`: the answer without the orders in `orderIds`
 * - `orders-stale`: the first answer served for the same query since faults were last cleared
 *   (a page a proxy cached long ago, e.g. from before the stack's orders existed)
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
  "orders-empty",
  "orders-omit",
  "orders-stale",
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
/** Kinds that hit SSH sessions (emulator sshd), never API requests. */
export const SSH_FAULT_KINDS: readonly FaultKind[] = ["ssh-drop"];
const isSshKind = (k: FaultKind) => SSH_FAULT_KINDS.includes(k);
/** Kinds that rewrite a my_orders answer (and hit only my_orders). */
export const ORDERS_FAULT_KINDS: readonly FaultKind[] = ["orders-empty", "orders-omit", "orders-stale"];
const isOrdersKind = (k: FaultKind) => ORDERS_FAULT_KINDS.includes(k);

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
    /** orders-omit: the order ids the answer leaves out. */
    orderIds: z.array(z.number().int().positive()).min(1).optional(),
    /** my_orders faults: only requests with (true) or without (false) return_completed=true. Default: both. */
    returnCompleted: z.boolean().optional(),
  })
  .refine((f) => f.kind !== "field-error" || f.error !== undefined, {
    message: "field-error needs an `error` string",
    path: ["error"],
  })
  .refine((f) => f.kind !== "delay" || f.delayMs !== undefined, { message: "delay needs `delayMs`", path: ["delayMs"] })
  .refine((f) => f.kind !== "orders-omit" || f.orderIds !== undefined, {
    message: "orders-omit needs `orderIds`",
    path: ["orderIds"],
  })
  .refine((f) => !isOrdersKind(f.kind) || f.endpoint === "*" || f.endpoint === "my_orders", {
    message: "my_orders faults hit my_orders only: leave `endpoint` out or set it to my_orders",
    path: ["endpoint"],
  })
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
  orderIds?: number[];
  returnCompleted?: boolean;
}

/** Faults waiting for requests; the first injected fault that matches a request takes it. */
export class FaultInjector {
  private faults: ActiveFault[] = [];
  private readonly pages = new Map<string, unknown>();
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
      orderIds: f.orderIds,
      returnCompleted: f.returnCompleted,
    };
    this.faults.push(fault);
    return fault;
  }

  clear(): void {
    this.faults = [];
    this.pages.clear();
  }

  /** The my_orders page `orders-stale` serves for `query` ("active" | "completed"): the first one seen since clear(). */
  stalePage<T>(query: string, current: T): T {
    if (!this.pages.has(query)) this.pages.set(query, current);
    return this.pages.get(query) as T;
  }

  /** Faults still waiting (copies). */
  list(): ActiveFault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  /** The fault for this request, if any; consumes one of its `times`. */
  take(endpoint: EndpointName, query: Record<string, string> = {}): ActiveFault | undefined {
    const completed = query.return_completed === "true";
    const hits = (x: ActiveFault) => {
      if (isSshKind(x.kind)) return false;
      if (isOrdersKind(x.kind))
        return endpoint === "my_orders" && (x.returnCompleted === undefined || x.returnCompleted === completed);
      return x.endpoint === "*" || x.endpoint === endpoint;
    };
    return this.consume(this.faults.find(hits));
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
