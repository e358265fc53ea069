import { z } from "zod";
import { GpuArray, Pricing, Specs, parseGpuSpec } from "./common";

export type MyServerStatus = "Online" | "Offline" | "Disconnected" | "Not Working";

const MyServerWire = z.looseObject({
  /** Not sent by every API version; server_config has it. */
  id: z.number().int().nullish(),
  name: z.string(),
  connected: z.boolean().nullish(),
  visibility: z.string().nullish(),
  pricing: Pricing.nullish(),
  online: z.boolean().nullish(),
  min_spot_pricing: Pricing.nullish(),
  allowed_currencies: z.array(z.string()).nullish(),
  init_token: z.string().nullish(),
  specs: Specs.nullish(),
  gpu_array: GpuArray.nullish(),
  working_properly: z.boolean().nullish(),
});

/** A server the key's owner hosts, with the official Python SDK's `status`, `gpuModel` and `ramGb`. */
export const MyServer = MyServerWire.transform((s) => ({
  ...s,
  gpuModel: s.gpu_array?.[0] ?? parseGpuSpec(s.specs?.gpu).model,
  ramGb: s.specs?.ram ?? undefined,
  status: (!s.connected
    ? "Disconnected"
    : s.working_properly === false
      ? "Not Working"
      : s.online
        ? "Online"
        : "Offline") as MyServerStatus,
}));
export type MyServer = z.output<typeof MyServer>;

export const MyServersResponse = z.looseObject({
  code: z.number().int(),
  servers: z.array(MyServer),
  limit: z.number().nullish(),
});
