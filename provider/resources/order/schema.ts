import { z } from "zod";
import { CREATE_ORDER_RULES, CREATE_ORDER_SHAPE, type FieldRule, fields, withRules } from "../../sdk";
import { SERVER_CRITERIA } from "../marketplace/filters";

/**
 * CloreOrder: the one declaration of its inputs and outputs. The create_order fields come
 * from the SDK's declaration (sdk/order-fields.ts); the rest are the resource's own. Types,
 * `check`, the public TypeScript declarations, docs/reference.md and the plugin's package
 * schema are all derived from here. Strict: an unknown (misspelt) input fails at preview.
 */

/** Find-and-rent: criteria instead of a serverId. currency, type and maxPricePerDay also filter. */
export const Selection = z.strictObject({
  ...SERVER_CRITERIA,
  includeOwnServers: z.boolean().optional().meta({
    description: "Also consider servers this API key hosts itself (renting your own rig). Default false.",
  }),
  maxAttempts: z.number().int().min(1).max(10).default(3).meta({
    description:
      "How many candidates to try, cheapest first, when a server is taken, offline or refuses the bid. Default 3.",
  }),
});
export type Selection = z.output<typeof Selection>;

const ISO_HINT = "must be an ISO 8601 time with a zone, e.g. 2026-12-01T18:00:00Z";
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** `ttl`: seconds, or a duration like "90m", "8h", "2d". */
export const Ttl = z.union([
  z.number().int().positive(),
  z.string().regex(/^\d+(s|m|h|d)$/, 'must be seconds or a duration like "90m", "8h", "2d"'),
]);

/** Defaults of the inputs that have one: the schema applies them, check fills them in, diff assumes them for old state. */
export const ORDER_DEFAULTS = { type: "on-demand", waitForReady: true, readyTimeout: 600 } as const;

/** The create_order fields a program sets; the others CloreOrder fills in (requiredPrice from maxPricePerDay). */
const {
  requiredPrice: _p,
  autosshEntrypoint: _a,
  rememberPassword: _r,
  dockerhubAuth: _d,
  ...create
} = CREATE_ORDER_SHAPE;
const INPUT_SHAPE = {
  ...create,
  serverId: create.serverId
    .optional()
    .meta({ description: "Marketplace server id (`clore search`). Give this or `select`." }),
  select: Selection.optional().meta({
    description:
      "Rent the cheapest server matching these criteria instead of a fixed serverId; fails over to the next candidate. The chosen server stays chosen until the criteria change in a way it no longer satisfies.",
  }),
  type: create.type.default(ORDER_DEFAULTS.type),
  spotPrice: create.spotPrice.meta({
    description:
      "Spot bid per day in `currency` (spot orders only). Changing it updates the bid in place (set_spot_price); lowering is limited to max_step per change and once per 600 s.",
  }),
  maxPricePerDay: fields.price.optional().meta({
    description:
      "Highest price per day you accept, in `currency`. Sent as required_price, so a price rise fails the rent instead of charging more.",
  }),
  waitForReady: z.boolean().default(ORDER_DEFAULTS.waitForReady).meta({
    description: "Wait until the order has its public endpoints and its TCP port answers. Default true.",
  }),
  readyTimeout: z.number().int().positive().max(86_400).default(ORDER_DEFAULTS.readyTimeout).meta({
    description:
      "Seconds to wait for the order to become ready. Default 600 (10 min). TypeScript programs set this (dynamic providers get no customTimeouts); with the plugin (Python, YAML, Go) customTimeouts create/update take its place when given.",
  }),
  adoptOrderId: fields.orderId.optional().meta({
    description: "Take over this existing order instead of renting: nothing is created, and destroy cancels it.",
  }),
  ttl: Ttl.optional().meta({
    description:
      "Time to live after creation. Nothing inside Clore enforces it: refresh reports an expired order as drift and the next `pulumi up` cancels it (or run `clore orphans --expired --cancel` on a schedule).",
  }),
  expiresAt: z
    .string()
    .regex(ISO_TIME, ISO_HINT)
    .optional()
    .meta({ description: "Like ttl, as an absolute ISO 8601 time, e.g. 2026-12-01T18:00:00Z." }),
  triggers: z
    .array(z.union([z.string(), z.number(), z.boolean()]))
    .optional()
    .meta({
      description: "Any change to these values replaces the order (like pulumi-command's triggers).",
    }),
};
type InputShape = typeof INPUT_SHAPE;

/** Rules across CloreOrder's own fields (create_order's come with them from the SDK). */
const ORDER_RULES: FieldRule<z.output<z.ZodObject<InputShape>>>[] = [
  {
    path: "serverId",
    message: "is required unless select (find-and-rent) or adoptOrderId is given",
    applies: (i) => i.adoptOrderId === undefined && i.serverId === undefined && i.select === undefined,
  },
  {
    path: "select",
    message: "cannot be combined with serverId; give one of them",
    applies: (i) => i.serverId !== undefined && i.select !== undefined,
  },
  {
    path: "expiresAt",
    message: "cannot be combined with ttl; give one of them",
    applies: (i) => i.ttl !== undefined && i.expiresAt !== undefined,
  },
  {
    path: "maxPricePerDay",
    message: "applies to on-demand orders; a spot order's price is its bid (spotPrice)",
    applies: (i) => i.maxPricePerDay !== undefined && i.type === "spot",
  },
];

export const OrderInputs = withRules(z.strictObject(INPUT_SHAPE), [
  ...CREATE_ORDER_RULES,
  ...ORDER_RULES,
] as FieldRule<unknown>[]);
export type OrderInputs = z.input<typeof OrderInputs>;
export type OrderInputsResolved = z.output<typeof OrderInputs>;

/** What the chosen server looked like when rented: a changed selection is checked against it. */
export const ServerFacts = z.object({
  gpuModels: z.array(z.string()).meta({ description: "GPU models of the server." }),
  gpuCount: z.number().meta({ description: "Number of GPUs." }),
  ramGb: z.number().optional().meta({ description: "RAM in GB." }),
  reliability: z.number().optional().meta({ description: "Reliability, a fraction 0..1." }),
  cudaVersion: z.string().optional().meta({ description: "CUDA version of the host." }),
  country: z.string().optional().meta({ description: "ISO country code of the host." }),
});
export type ServerFacts = z.output<typeof ServerFacts>;

/** Order status: the API's lifecycle, plus our own `ttl-expired` and `unknown` (create not identified). */
export const ORDER_STATUSES = ["provisioning", "running", "stopped", "expired", "ttl-expired", "unknown"] as const;

/** What an order looks like now, beside its inputs as applied: the outputs' one declaration. */
export const OrderState = z.object({
  serverId: fields.serverId.meta({ description: "The rented server (for `select`, the one chosen)." }),
  orderId: fields.orderId.meta({ description: "The Clore order id." }),
  status: z
    .enum(ORDER_STATUSES)
    .meta({ description: "provisioning, running, stopped or expired; ttl-expired once cancelled by its TTL." }),
  pricePerDay: z.number().optional().meta({ description: "Price per day in `currency` (spot: the current bid)." }),
  pricePerHourUsd: z.number().optional().meta({
    description:
      "Price per hour in USD: exact for USD-Blockchain orders, from the API's original_price_usd otherwise (see costApproximate); unset when unknown.",
  }),
  spend: z
    .number()
    .optional()
    .meta({ description: "Spent so far in `currency`, as the API reports it; `pulumi refresh` updates it." }),
  spendUsd: z
    .number()
    .optional()
    .meta({ description: "Spent so far in USD (same rate as pricePerHourUsd); `pulumi refresh` updates it." }),
  costApproximate: z
    .boolean()
    .optional()
    .meta({ description: "True when pricePerHourUsd/spendUsd rest on an inferred USD rate (not a USD order)." }),
  createdAt: z.string().optional().meta({ description: "When the API created the order (ISO 8601)." }),
  rentedAt: z
    .string()
    .optional()
    .meta({ description: "Our clock when the order was rented (ISO 8601); TTLs count from here." }),
  expiresOn: z.string().optional().meta({ description: "When ttl/expiresAt say the order must end (ISO 8601)." }),
  ttlExpired: z
    .boolean()
    .optional()
    .meta({ description: "Set by refresh once expiresOn has passed; the next `pulumi up` cancels the order." }),
  server: ServerFacts.optional().meta({
    description: "For `select`: the chosen server's GPUs, RAM, reliability, CUDA version and country.",
  }),
  pubCluster: z.array(z.string()).meta({ description: "Public host names of the order." }),
  tcpPorts: z.record(z.string(), z.number()).meta({ description: "Container port → public port." }),
  sshHost: z.string().optional().meta({ description: "Host for ssh (when port 22 is published)." }),
  sshPort: z.number().optional().meta({ description: "Public port for ssh." }),
  sshCommand: z.string().optional().meta({ description: "`ssh root@<host> -p <port>`." }),
  httpUrl: z.string().optional().meta({ description: "HTTPS URL of the http port." }),
});

/** Outputs: every input as applied, plus the state. */
export type OrderOutputs = Omit<OrderInputsResolved, keyof z.output<typeof OrderState>> & z.output<typeof OrderState>;

/**
 * How each input changes an order. create_order takes its fields once, so changing one means a
 * new order — except the spot bid, which set_spot_price moves in place; so do `adoptOrderId`
 * (another order) and `triggers`. The rest changes nothing remote or is applied in place
 * (`select` is judged against the rented server, see diff.ts).
 */
type Input = keyof OrderInputsResolved;
const IN_PLACE_CREATE_FIELDS: Input[] = ["spotPrice"];
export const REPLACE_ON: readonly Input[] = [
  ...(Object.keys(create) as Input[]).filter((k) => !IN_PLACE_CREATE_FIELDS.includes(k)),
  "adoptOrderId",
  "triggers",
];
export const UPDATE_IN_PLACE: readonly Input[] = (Object.keys(INPUT_SHAPE) as Input[]).filter(
  (k) => !REPLACE_ON.includes(k) && k !== "select",
);

/**
 * Inputs the program adds that are not the user's: CloreBudget's verdict (see order.ts) and
 * the resource's URN, which keys the journal of creates in flight (dynamic providers are
 * not told the URN). check keeps the URN for create; neither reaches the outputs.
 */
export const BUDGET_KEY = "budgetCheck";
export const URN_KEY = "__urn";

/** Inputs whose values are secret in state even when the program passed plain values: the fields declared secret. */
export const SECRET_OUTPUTS = (Object.keys(INPUT_SHAPE) as (keyof OrderInputsResolved)[]).filter((k) =>
  fields.isSecret(INPUT_SHAPE[k]),
);
