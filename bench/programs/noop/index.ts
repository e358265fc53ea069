import * as pulumi from "@pulumi/pulumi";

// A dynamic provider with no code of ours and no API: whatever memory the plugin uses for
// `count` of these is the host's own (Node + @pulumi/pulumi), the floor for CloreOrder's.
const noop: pulumi.dynamic.ResourceProvider = {
  async create(inputs) {
    return { id: `noop-${inputs.n}`, outs: inputs };
  },
  async read(id, props) {
    return { id, props };
  },
  async delete() {},
};

class Noop extends pulumi.dynamic.Resource {
  constructor(name: string, n: number) {
    super(noop, name, { n }, {}, "noop");
  }
}

const count = new pulumi.Config().getNumber("count") ?? 1;
for (let n = 0; n < count; n++) new Noop(`noop-${n}`, n);
