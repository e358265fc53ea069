import { defineCommand } from "../command";
import { NONE, gigabytes, gpu, perDay, perDayPrices, usd, yesNo } from "../format";
import type { RecordResult } from "../render";

export const serverConfigCommand = defineCommand({
  name: "server-config",
  args: [{ syntax: "<name>", description: 'name of a server you host (see "clore servers")' }],
  summary: "Show the configuration of a server you host",
  description: "Show availability, rental length, prices per day and specs of one server you host.",
  examples: ["clore server-config MyGPU", "clore server-config MyGPU --json | jq .usd_pricing"],
  async run(ctx, args): Promise<RecordResult> {
    const name = String(args[0]);
    const c = await ctx.client().serverConfig(name);
    const usdPricing = Object.entries(c.usd_pricing ?? {})
      .map(([cur, p]) => `${cur}: on-demand ${perDay(usd(p.on_demand))}, spot ${perDay(usd(p.spot))}`)
      .join("; ");
    return {
      kind: "record",
      json: c,
      title: `Server ${c.name ?? name}${c.id ? ` (id ${c.id})` : ""}`,
      fields: [
        ["Available", yesNo(c.availability)],
        ["Visibility", c.visibility ?? NONE],
        ["Online", yesNo(c.online)],
        ["Connected", yesNo(c.connected)],
        ["Max rental", typeof c.mrl === "number" ? `${c.mrl} h` : NONE],
        ["On-demand", perDayPrices(c.pricing)],
        ["Spot minimum", perDayPrices(c.spot_pricing)],
        ["USD pricing", usdPricing || undefined],
        ["Currencies", c.allowed_coins?.join(", ") || undefined],
        ["GPU", gpu(c.gpuModel, undefined) + (c.specs?.gpu ? ` (${c.specs.gpu})` : "")],
        ["RAM", gigabytes(c.specs?.ram)],
        ["CPU", c.specs?.cpu ?? undefined],
        ["Background job", c.background_job?.image ?? undefined],
      ],
    };
  },
});
