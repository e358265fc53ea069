import type { MyServer } from "../../sdk";
import { defineCommand } from "../command";
import { gigabytes, gpu, perDayPrices, plural } from "../format";
import type { ListResult } from "../render";

export const serversCommand = defineCommand({
  name: "servers",
  summary: "List the servers you host",
  description: "List the servers you host on the marketplace, with status and on-demand prices per day.",
  examples: ["clore servers", "clore servers --json | jq '.[].name'"],
  async run(ctx): Promise<ListResult<MyServer>> {
    const servers = await ctx.client().myServers();
    return {
      kind: "list",
      json: servers,
      rows: servers,
      columns: [
        // my_servers may not send ids (server_config does): no column of dashes.
        ...(servers.some((s) => typeof s.id === "number")
          ? [{ header: "ID", value: (s: MyServer) => s.id ?? undefined, align: "right" as const }]
          : []),
        { header: "Name", value: (s) => s.name },
        { header: "Status", value: (s) => s.status },
        { header: "GPU", value: (s) => gpu(s.gpuModel, s.gpu_array?.length || undefined) },
        { header: "RAM", value: (s) => gigabytes(s.ramGb), align: "right" },
        { header: "Visibility", value: (s) => s.visibility ?? undefined },
        { header: "On-demand", value: (s) => perDayPrices(s.pricing) },
        { header: "Spot minimum", value: (s) => perDayPrices(s.min_spot_pricing) },
      ],
      summary: `${plural(servers.length, "server")}.`,
      empty: "No servers found. You host none with this account.",
    };
  },
});
