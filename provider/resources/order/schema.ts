import { z } from "zod";
import { fields } from "../../sdk";

/**
 * CloreOrder's inputs: the one declaration. Types, the ajv schema used by `check` and
 * docs/reference.md all come from here. Strict: an unknown (misspelt) input fails at preview.
 */
/** Find-and-rent: criteria instead of a serverId. currency, type and maxPricePerDay also filter. */
export const Selection = z.strictObject({
  gpus: z.array(z.string().min(1)).min(1).optional().meta({ description: 'GPU model substrings, any of them, e.g. ["RTX 4090", "RTX 3090"].' }),
  minGpuCount: z.number().int().positive().optional(),
  minRamGb: z.number().nonnegative().optional(),
  minReliability: z.number().min(0).max(1).optional().meta({ description: "Minimum reliability, a fraction 0..1." }),
  minCudaVersion: z.string().regex(/^\d+(\.\d+)*$/).optional().meta({ description: 'Minimum CUDA version, e.g. "12.2".' }),
  country: z.string().regex(/^[A-Za-z]{2}$/).optional().meta({ description: "ISO country code of the host." }),
  maxAttempts: z.number().int().min(1).max(10).default(3).meta({
    description: "How many candidates to try, cheapest first, when a server is taken, offline or refuses the bid. Default 3.",
  }),
});
export type Selection = z.output<typeof Selection>;

/** What the chosen server looked like when rented: a changed selection is checked against it. */
export interface ServerFacts {
  gpuModels: string[];
  gpuCount: number;
  ramGb?: number;
  reliability?: number;
  cudaVersion?: string;
  country?: string;
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const ISO_HINT = "must be an ISO 8601 time with a zone, e.g. 2026-12-01T18:00:00Z";

/** `ttl`: seconds, or a duration like "90m", "8h", "2d". */
export const Ttl = z.union([z.number().int().positive(), z.string().regex(/^\d+(s|m|h|d)$/, 'must be seconds or a duration like "90m", "8h", "2d"')]);

/** Defaults of the inputs that have one: the schema applies them, check fills them in, diff assumes them for old state. */
export const ORDER_DEFAULTS = { type: "on-demand", waitForReady: true, readyTimeout: 600 } as const;

export const OrderInputs = z.strictObject({
  serverId: fields.serverId.optional().meta({ description: "Marketplace server id (`clore search`). Give this or `select`." }),
  select: Selection.optional().meta({
    description: "Rent the cheapest server matching these criteria instead of a fixed serverId; fails over to the next candidate. The chosen server stays chosen until the criteria change in a way it no longer satisfies.",
  }),
  image: fields.image,
  currency: fields.currency,
  type: fields.orderType.default(ORDER_DEFAULTS.type),
  spotPrice: fields.price.optional().meta({
    description: "Spot bid per day in `currency` (spot orders only). Changing it updates the bid in place (set_spot_price); lowering is limited to max_step per change and once per 600 s.",
  }),
  ports: fields.ports.optional(),
  env: fields.env.optional(),
  command: fields.command.optional(),
  jupyterToken: fields.jupyterToken.optional(),
  sshPassword: fields.sshPassword.optional(),
  sshKey: fields.sshKey.optional(),
  maxPricePerDay: fields.price.optional().meta({
    description: "Highest price per day you accept, in `currency`. Sent as required_price, so a price rise fails the rent instead of charging more.",
  }),
  waitForReady: z.boolean().default(ORDER_DEFAULTS.waitForReady).meta({
    description: "Wait until the order has its public endpoints and its TCP port answers. Default true.",
  }),
  readyTimeout: z.number().int().positive().max(86_400).default(ORDER_DEFAULTS.readyTimeout).meta({
    description: "Seconds to wait for the order to become ready. Default 600 (10 min). Pulumi's customTimeouts do not reach this provider; set this instead.",
  }),
  adoptOrderId: fields.orderId.optional().meta({
    description: "Take over this existing order instead of renting: nothing is created, and destroy cancels it.",
  }),
  ttl: Ttl.optional().meta({
    description: "Time to live after creation. Nothing inside Clore enforces it: refresh reports an expired order as drift and the next `pulumi up` cancels it (or run `clore orphans --expired --cancel` on a schedule).",
  }),
  expiresAt: z
    .string()
    .regex(ISO_TIME, ISO_HINT)
    .optional()
    .meta({ description: "Like ttl, as an absolute ISO 8601 time, e.g. 2026-12-01T18:00:00Z.", "x-hint": ISO_HINT }),
  triggers: z.array(z.union([z.string(), z.number(), z.boolean()])).optional().meta({
    description: "Any change to these values replaces the order (like pulumi-command's triggers).",
  }),
});
export type OrderInputs = z.input<typeof OrderInputs>;
export type OrderInputsResolved = z.output<typeof OrderInputs>;

/** Outputs: the inputs as applied plus what the order looks like now. */
export interface OrderOutputs extends Omit<OrderInputsResolved, "serverId"> {
  serverId: number;
  orderId: number;
  /** The chosen server's facts, for orders rented by `select`. */
  server?: ServerFacts;
  /** Our clock when the order was rented (ISO 8601); TTLs count from here. */
  rentedAt?: string;
  /** When ttl/expiresAt say the order must end (ISO 8601). */
  expiresOn?: string;
  status: string;
  pricePerDay?: number;
  createdAt?: string;
  pubCluster: string[];
  /** Container port → public port. */
  tcpPorts: Record<string, number>;
  sshHost?: string;
  sshPort?: number;
  sshCommand?: string;
  httpUrl?: string;
}

/**
 * How each input changes an order. create_order takes these once: changing one means a new
 * order. Everything else is updated in place.
 */
export const REPLACE_ON = [
  "serverId",
  "image",
  "ports",
  "type",
  "currency",
  "env",
  "command",
  "jupyterToken",
  "sshPassword",
  "sshKey",
  "adoptOrderId",
  "triggers",
] as const satisfies ReadonlyArray<keyof OrderInputsResolved>;

export const UPDATE_IN_PLACE = ["spotPrice", "waitForReady", "readyTimeout", "maxPricePerDay", "ttl", "expiresAt"] as const satisfies ReadonlyArray<
  keyof OrderInputsResolved
>;

/** Inputs whose values are secret in state even when the program passed plain values. */
export const SECRET_OUTPUTS = ["env", "jupyterToken", "sshPassword"] as const;

/** Rules across fields that JSON Schema does not express. */
export function crossFieldFailures(i: Partial<OrderInputsResolved>): { property: string; reason: string }[] {
  const out: { property: string; reason: string }[] = [];
  if (i.type === "spot" && i.spotPrice === undefined && i.adoptOrderId === undefined) {
    out.push({ property: "spotPrice", reason: "is required when type is \"spot\"" });
  }
  if (i.type !== "spot" && i.spotPrice !== undefined) {
    out.push({ property: "spotPrice", reason: "is only allowed when type is \"spot\"" });
  }
  if (i.adoptOrderId === undefined && i.serverId === undefined && i.select === undefined) {
    out.push({ property: "serverId", reason: "is required unless select (find-and-rent) or adoptOrderId is given" });
  }
  if (i.serverId !== undefined && i.select !== undefined) {
    out.push({ property: "select", reason: "cannot be combined with serverId; give one of them" });
  }
  if (i.ttl !== undefined && i.expiresAt !== undefined) {
    out.push({ property: "expiresAt", reason: "cannot be combined with ttl; give one of them" });
  }
  if (i.maxPricePerDay !== undefined && i.type === "spot") {
    out.push({ property: "maxPricePerDay", reason: "applies to on-demand orders; a spot order's price is its bid (spotPrice)" });
  }
  return out;
}
