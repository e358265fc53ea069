import { z } from "zod";
import * as f from "./fields";
import type { CreateOrderBody } from "./models/requests";

/** createOrder's parameters: every seed parameter, camelCase. */
export const CreateOrderParams = z
  .strictObject({
    serverId: f.serverId,
    image: f.image,
    type: f.orderType,
    currency: f.currency,
    sshPassword: f.sshPassword.optional(),
    sshKey: f.sshKey.optional(),
    ports: f.ports.optional(),
    env: f.env.optional(),
    jupyterToken: f.jupyterToken.optional(),
    command: f.command.optional(),
    /** Bid per day in `currency`; required for spot orders. */
    spotPrice: f.price.optional(),
    /** The price per day you expect; the API fails the rent if the price differs. */
    requiredPrice: f.price.optional(),
    autosshEntrypoint: z.boolean().optional(),
    rememberPassword: z.boolean().optional(),
    dockerhubAuth: z.string().min(1).optional(),
  })
  .superRefine((p, ctx) => {
    if (p.type === "spot" && p.spotPrice === undefined) {
      ctx.addIssue({ code: "custom", path: ["spotPrice"], message: "is required when type is 'spot'" });
    }
    if (p.type === "on-demand" && p.spotPrice !== undefined) {
      ctx.addIssue({ code: "custom", path: ["spotPrice"], message: "is only allowed when type is 'spot'" });
    }
  });
export type CreateOrderParams = z.input<typeof CreateOrderParams>;

/** camelCase parameters → the API's create_order body. */
export function createOrderBody(p: z.output<typeof CreateOrderParams>): CreateOrderBody {
  const body: CreateOrderBody = { type: p.type, currency: p.currency, image: p.image, renting_server: p.serverId };
  if (p.spotPrice !== undefined) body.spotprice = p.spotPrice;
  if (p.ports) body.ports = p.ports;
  if (p.env) body.env = p.env;
  if (p.jupyterToken !== undefined) body.jupyter_token = p.jupyterToken;
  if (p.sshKey !== undefined) body.ssh_key = p.sshKey;
  if (p.sshPassword !== undefined) body.ssh_password = p.sshPassword;
  if (p.command !== undefined) body.command = p.command;
  if (p.requiredPrice !== undefined) body.required_price = p.requiredPrice;
  if (p.autosshEntrypoint !== undefined) body.autossh_entrypoint = p.autosshEntrypoint;
  if (p.rememberPassword !== undefined) body.remember_password = p.rememberPassword;
  if (p.dockerhubAuth !== undefined) body.dockerhub_auth = p.dockerhubAuth;
  return body;
}
