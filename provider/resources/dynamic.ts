/**
 * What the serialized shim loads inside the dynamic-provider plugin (`pulumi-clore/dynamic`).
 * Kept apart from the program-side classes so the plugin never loads more than it runs.
 */
import * as order from "./order/provider";
import * as serverSettings from "./server-settings/provider";

export { configure } from "./runtime";

export const providers = {
  order: { check: order.check, diff: order.diff, create: order.create, read: order.read, update: order.update, delete: order.remove },
  "server-settings": {
    check: serverSettings.check,
    diff: serverSettings.diff,
    create: serverSettings.create,
    read: serverSettings.read,
    update: serverSettings.update,
    delete: serverSettings.remove,
  },
};
