import { z } from "zod";
import { fields } from "../../sdk";

/**
 * CloreOrder's inputs: the one declaration. Types, the ajv schema used by `check` and
 * docs/reference.md all come from here. Strict: an unknown (misspelt) input fails at preview.
 */
export const OrderInputs = z.strictObject({
  serverId: fields.serverId,
  image: fields.image,
  currency: fields.currency,
  type: fields.orderType.default("on-demand"),
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
  waitForReady: z.boolean().default(true).meta({
    description: "Wait until the order has its public endpoints and its TCP port answers. Default true.",
  }),
  readyTimeout: z.number().int().positive().max(86_400).default(600).meta({
    description: "Seconds to wait for the order to become ready. Default 600 (10 min). Pulumi's customTimeouts do not reach this provider; set this instead.",
  }),
  adoptOrderId: fields.orderId.optional().meta({
    description: "Take over this existing order instead of renting: nothing is created, and destroy cancels it.",
  }),
  triggers: z.array(z.union([z.string(), z.number(), z.boolean()])).optional().meta({
    description: "Any change to these values replaces the order (like pulumi-command's triggers).",
  }),
});
export type OrderInputs = z.input<typeof OrderInputs>;
export type OrderInputsResolved = z.output<typeof OrderInputs>;

/** Outputs: the inputs as applied plus what the order looks like now. */
export interface OrderOutputs extends OrderInputsResolved {
  orderId: number;
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

export const UPDATE_IN_PLACE = ["spotPrice", "waitForReady", "readyTimeout", "maxPricePerDay"] as const satisfies ReadonlyArray<
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
  if (i.maxPricePerDay !== undefined && i.type === "spot") {
    out.push({ property: "maxPricePerDay", reason: "applies to on-demand orders; a spot order's price is its bid (spotPrice)" });
  }
  return out;
}
