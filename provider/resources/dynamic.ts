/**
 * What the serialized shim loads inside the dynamic-provider plugin (`pulumi-clore/dynamic`),
 * and what the resource-provider plugin (provider/plugin) serves: both faces call `providers`.
 * Kept apart from the program-side classes so a plugin never loads more than it runs.
 *
 * Each resource kind's implementation is required on its first call, not when this module
 * loads: a stack of orders never loads the server-settings provider (and the reverse), and
 * every module we do not load is memory the plugin process never holds.
 */
// First: it tunes V8 before anything below allocates (see the module for why).
import "./plugin-heap";

import type { OperationOptions, PropertyBag, ResourceController } from "./contract";
import type * as orderController from "./order/controller";
import type * as serverSettingsController from "./server-settings/controller";

import { plainData } from "./plain-data";
import { inPulumiTerms } from "./pulumi-terms";

export { configure } from "./runtime";

/** Results as the engine's protobuf Structs take them; errors with the next step in Pulumi terms. */
export async function serve<T>(f: () => Promise<T>): Promise<T> {
  try {
    return plainData(await f());
  } catch (e) {
    throw inPulumiTerms(e);
  }
}

/** The provider of one kind; `load` runs (once: require caches it) at the kind's first call. */
function provider(load: () => ResourceController) {
  return {
    check: (olds: PropertyBag, news: PropertyBag) => serve(() => load().check(olds, news)),
    diff: (id: string, olds: PropertyBag, news: PropertyBag) => serve(() => load().diff(id, olds, news)),
    create: (inputs: PropertyBag, urn?: string, options?: OperationOptions) =>
      serve(() => load().create(inputs, urn, options)),
    read: (id: string, props?: PropertyBag) => serve(() => load().read(id, props)),
    update: (id: string, olds: PropertyBag, news: PropertyBag, options?: OperationOptions) =>
      serve(() => load().update(id, olds, news, options)),
    delete: (id: string, props: PropertyBag) => serve(() => load().remove(id, props)),
  };
}

export const providers = {
  order: provider((): typeof orderController => require("./order/controller")),
  "server-settings": provider((): typeof serverSettingsController => require("./server-settings/controller")),
};
