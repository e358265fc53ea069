import * as pulumi from "@pulumi/pulumi";
import type { CloreBudget } from "../budget/budget";
import { shimFor } from "../shim";
import { type OrderInputs, SECRET_OUTPUTS } from "./schema";

// One shim object for every order: Pulumi caches its serialization per object.
const PROVIDER = shimFor("order");

type Inputs<T> = { [K in keyof T]: pulumi.Input<T[K]> };

/** Arguments of a CloreOrder: see OrderInputs in schema.ts for each field's meaning. */
export type CloreOrderArgs = Inputs<OrderInputs> & {
  /** A stack spending cap checked before this order is created (program-side, not an input). */
  budget?: CloreBudget;
};

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
export class CloreOrder extends pulumi.dynamic.Resource {
  declare readonly orderId: pulumi.Output<number>;
  declare readonly serverId: pulumi.Output<number>;
  declare readonly status: pulumi.Output<string>;
  declare readonly pricePerDay: pulumi.Output<number | undefined>;
  declare readonly currency: pulumi.Output<string>;
  declare readonly createdAt: pulumi.Output<string | undefined>;
  declare readonly pubCluster: pulumi.Output<string[]>;
  declare readonly tcpPorts: pulumi.Output<Record<string, number>>;
  declare readonly sshHost: pulumi.Output<string | undefined>;
  declare readonly sshPort: pulumi.Output<number | undefined>;
  declare readonly sshCommand: pulumi.Output<string | undefined>;
  declare readonly httpUrl: pulumi.Output<string | undefined>;

  constructor(name: string, args: CloreOrderArgs, opts: pulumi.CustomResourceOptions = {}) {
    const outputs = {
      orderId: undefined, status: undefined, pricePerDay: undefined, createdAt: undefined, pubCluster: undefined,
      tcpPorts: undefined, sshHost: undefined, sshPort: undefined, sshCommand: undefined, httpUrl: undefined,
    };
    const { budget, ...inputs } = args;
    // The budget verdict is an input that resolves to nothing: registration (and so the
    // create) waits for it, and a stack over its cap fails before any order is rented.
    const gate = budget ? pulumi.output(budget.add(name, inputs).then(() => undefined)) : undefined;
    super(PROVIDER, name, { ...outputs, ...inputs, ...(gate ? { budgetCheck: gate } : {}) }, withOrderDefaults(opts), "clore", "Order");
  }

  /** Adopt an existing order into the stack by its id (then `pulumi refresh` fills its outputs). */
  static get(name: string, orderId: pulumi.Input<string>, opts: pulumi.CustomResourceOptions = {}): CloreOrder {
    return new CloreOrder(name, {} as CloreOrderArgs, { ...opts, id: orderId });
  }
}

// Replacement is decided by the provider's diff (REPLACE_ON in schema.ts), not by replaceOnChanges.
function withOrderDefaults(opts: pulumi.CustomResourceOptions): pulumi.CustomResourceOptions {
  return {
    ...opts,
    additionalSecretOutputs: [...(opts.additionalSecretOutputs ?? []), ...SECRET_OUTPUTS],
  };
}
