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

import type * as orderImpl from "./order/controller";
import type * as serverSettingsImpl from "./server-settings/controller";

import { plainData } from "./plain-data";
import { inPulumiTerms } from "./pulumi-terms";

export { configure } from "./runtime";

type Props = Record<string, unknown>;

interface Impl {
  check(olds: Props, news: Props): Promise<unknown>;
  diff(id: string, olds: Props, news: Props): Promise<unknown>;
  create(inputs: Props, urn?: string, options?: orderImpl.OperationOptions): Promise<unknown>;
  read(id: string, props?: Props): Promise<unknown>;
  update(id: string, olds: Props, news: Props, options?: orderImpl.OperationOptions): Promise<unknown>;
  remove(id: string, props: Props): Promise<void>;
}

/** Results as the engine's protobuf Structs take them; errors with the next step in Pulumi terms. */
export async function serve<T>(f: () => Promise<T>): Promise<T> {
  try {
    return plainData(await f());
  } catch (e) {
    throw inPulumiTerms(e);
  }
}

/** The provider of one kind; `load` runs (once: require caches it) at the kind's first call. */
function provider(load: () => Impl) {
  return {
    check: (olds: Props, news: Props) => serve(() => load().check(olds, news)),
    diff: (id: string, olds: Props, news: Props) => serve(() => load().diff(id, olds, news)),
    create: (inputs: Props, urn?: string, options?: orderImpl.OperationOptions) =>
      serve(() => load().create(inputs, urn, options)),
    read: (id: string, props?: Props) => serve(() => load().read(id, props)),
    update: (id: string, olds: Props, news: Props, options?: orderImpl.OperationOptions) =>
      serve(() => load().update(id, olds, news, options)),
    delete: (id: string, props: Props) => serve(() => load().remove(id, props)),
  };
}

export const providers = {
  order: provider((): typeof orderImpl => require("./order/controller")),
  "server-settings": provider((): typeof serverSettingsImpl => require("./server-settings/controller")),
};
