import * as pulumi from "@pulumi/pulumi";
import type { CloreBudget } from "../budget/budget";
import type { CloreOrderInputs, CloreOrderOutputs } from "../generated/types";
import { shimFor } from "../shim";
import { BUDGET_KEY, OrderState, SECRET_OUTPUTS, URN_KEY } from "./schema";

// One shim object for every order: Pulumi caches its serialization per object.
const PROVIDER = shimFor("order");
const TYPE = "pulumi-nodejs:dynamic/clore:Order";
/** Every output the provider reports, registered so the class has it (undefined until known). */
const OUTPUTS = Object.fromEntries(Object.keys(OrderState.shape).map((k) => [k, undefined]));

/** Arguments of a CloreOrder: the inputs (docs/reference.md), plus an optional budget. */
export interface CloreOrderArgs extends CloreOrderInputs {
  /** A stack spending cap checked before this order is created (program-side, not an input). */
  budget?: CloreBudget;
}

/**
 * A rented Clore.ai server running your container. `pulumi up` rents it (and waits until
 * its ssh port answers), `pulumi destroy` cancels it and stops the bill.
 *
 *     const gpu = new CloreOrder("trainer", {
 *       serverId: 41873, image: "cloreai/ubuntu22.04-cuda12", currency: "USD-Blockchain",
 *       ports: { "22": "tcp" }, sshPassword: config.requireSecret("sshPassword"),
 *     });
 *     export const ssh = gpu.sshCommand;
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the outputs interface below declares fields the engine fills in; nothing else is merged.
export class CloreOrder extends pulumi.dynamic.Resource {
  constructor(name: string, args: CloreOrderArgs, opts: pulumi.CustomResourceOptions = {}) {
    const { budget, ...inputs } = args;
    // The budget's verdict is an input: registration (and so the create) waits for it, and a
    // stack over its cap fails every order's check, before any order is rented.
    const verdict = budget ? { [BUDGET_KEY]: pulumi.output(budget.add(name, inputs)) } : {};
    // The URN keys this machine's record of creates in flight (dynamic providers are not told it).
    const urn = { [URN_KEY]: pulumi.createUrn(name, TYPE, opts.parent) };
    super(
      PROVIDER,
      name,
      { ...OUTPUTS, ...inputs, ...verdict, ...(opts.id ? {} : urn) },
      withOrderDefaults(opts),
      "clore",
      "Order",
    );
  }

  /** Adopt an existing order into the stack by its id (then `pulumi refresh` fills its outputs). */
  static get(name: string, orderId: pulumi.Input<string>, opts: pulumi.CustomResourceOptions = {}): CloreOrder {
    return new CloreOrder(name, {} as CloreOrderArgs, { ...opts, id: orderId });
  }
}

/** The outputs, declared on the class from the one declaration (generated/types.ts). */
export interface CloreOrder extends CloreOrderOutputs {}

// Replacement is decided by the provider's diff (REPLACE_ON in schema.ts), not by replaceOnChanges.
function withOrderDefaults(opts: pulumi.CustomResourceOptions): pulumi.CustomResourceOptions {
  return {
    ...opts,
    additionalSecretOutputs: [...(opts.additionalSecretOutputs ?? []), ...SECRET_OUTPUTS],
  };
}
