import type * as pulumi from "@pulumi/pulumi";

/**
 * The provider object Pulumi serializes into every resource's state (`__provider`).
 * It holds nothing: no client, config, key or schema. Each method loads the implementation
 * by package name when it runs, as Pulumi lazy-loads its own code, so state stays small,
 * never carries secrets, and an upgraded package serves old state.
 */
export type ProviderKind = "order" | "server-settings";

export function shimFor(kind: ProviderKind): pulumi.dynamic.ResourceProvider {
  return {
    async configure(req) {
      require("pulumi-clore/dynamic").configure(req.config);
    },
    async check(olds, news) {
      return require("pulumi-clore/dynamic").providers[kind].check(olds, news);
    },
    async diff(id, olds, news) {
      return require("pulumi-clore/dynamic").providers[kind].diff(id, olds, news);
    },
    async create(inputs) {
      return require("pulumi-clore/dynamic").providers[kind].create(inputs);
    },
    async read(id, props) {
      return require("pulumi-clore/dynamic").providers[kind].read(id, props);
    },
    async update(id, olds, news) {
      return require("pulumi-clore/dynamic").providers[kind].update(id, olds, news);
    },
    async delete(id, props) {
      return require("pulumi-clore/dynamic").providers[kind].delete(id, props);
    },
  };
}
