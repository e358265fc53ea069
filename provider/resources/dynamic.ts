/**
 * What the serialized shim loads inside the dynamic-provider plugin (`pulumi-clore/dynamic`).
 * Kept apart from the program-side classes so the plugin never loads more than it runs.
 */
import * as order from "./order/provider";
import * as serverSettings from "./server-settings/provider";

import { plainData } from "./plain-data";

export { configure } from "./runtime";

type Props = Record<string, unknown>;

interface Impl {
  check(olds: Props, news: Props): Promise<unknown>;
  diff(id: string, olds: Props, news: Props): Promise<unknown>;
  create(inputs: Props): Promise<unknown>;
  read(id: string, props?: Props): Promise<unknown>;
  update(id: string, olds: Props, news: Props): Promise<unknown>;
  remove(id: string, props: Props): Promise<void>;
}

function provider(impl: Impl) {
  return {
    check: async (olds: Props, news: Props) => plainData(await impl.check(olds, news)),
    diff: async (id: string, olds: Props, news: Props) => plainData(await impl.diff(id, olds, news)),
    create: async (inputs: Props) => plainData(await impl.create(inputs)),
    read: async (id: string, props?: Props) => plainData(await impl.read(id, props)),
    update: async (id: string, olds: Props, news: Props) => plainData(await impl.update(id, olds, news)),
    delete: (id: string, props: Props) => impl.remove(id, props),
  };
}

export const providers = {
  order: provider(order),
  "server-settings": provider(serverSettings),
};
