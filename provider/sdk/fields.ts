import { z } from "zod";
import { CURRENCIES, ORDER_TYPES } from "./models/common";

/**
 * Field schemas for what users write, shared by the SDK's method parameters, the Pulumi
 * resource inputs and the CLI. Limits follow what docs/api-notes.md reports from clients and the
 * GigaSPOT docs; tighter than the API is fine (we fail early), looser is not.
 */

/** A regex check whose message says what is expected (the validation renderer prints it). */
function matching(schema: z.ZodString, re: RegExp, message: string, description?: string): z.ZodString {
  const checked = schema.regex(re, message);
  return description ? checked.meta({ description }) : checked;
}

export const LIMITS = {
  imageLength: 256,
  envKeyLength: 128,
  envValueLength: 1536,
  envTotalLength: 12288,
  jupyterTokenLength: 32,
  sshPasswordLength: 32,
  sshKeyLength: 3072,
  commandLength: 16384,
  issueLength: 2048,
  maxPorts: 16,
  cancelBatch: 64,
} as const;

export const serverId = z.number().int().positive().meta({ description: "Marketplace server id (`clore search`)." });

const imageBase = z.string().min(1, "must not be empty").max(LIMITS.imageLength);
export const image = matching(
  imageBase,
  /^\S+$/,
  "must be a Docker image reference without spaces, e.g. cloreai/ubuntu22.04-cuda12",
  "Docker image to run, e.g. `cloreai/ubuntu22.04-cuda12`.",
);

export const currency = z.enum(CURRENCIES).meta({
  description: `Payment currency: one of ${CURRENCIES.join(", ")}. It must be in the server's allowed_coins.`,
});

export const orderType = z
  .enum(ORDER_TYPES)
  .meta({ description: "`on-demand` (fixed price) or `spot` (bid, may be outbid)." });

export const price = z.number().positive().finite();

export const PORT_PROTOCOLS = ["tcp", "http"] as const;

/** Container port → protocol. Keys are port numbers as strings (JSON object keys). */
export const ports = z
  .record(
    matching(
      z.string(),
      /^([1-9]\d{0,3}|[1-5]\d{4}|6[0-4]\d{3}|65[0-4]\d{2}|655[0-2]\d|6553[0-5])$/,
      "must be a port number 1-65535",
    ),
    z.enum(PORT_PROTOCOLS),
  )
  .refine((p) => Object.keys(p).length <= LIMITS.maxPorts, `at most ${LIMITS.maxPorts} ports`)
  .refine(
    (p) => Object.values(p).filter((v) => v === "http").length <= 1,
    "at most one port may be 'http' (an order has one http_port)",
  )
  .meta({
    description:
      'Container ports to publish: `{ "22": "tcp", "8888": "http" }`. tcp ports get a public port each; the http port gets an HTTPS URL.',
  });

/** A POSIX shell variable name (what `env` keys and the SSH runner's exports must be). */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const env = z
  .record(
    matching(
      z.string().max(LIMITS.envKeyLength),
      ENV_NAME,
      "must be a valid environment variable name ([A-Za-z_][A-Za-z0-9_]*)",
    ),
    z.string().max(LIMITS.envValueLength),
  )
  .refine(
    (e) => JSON.stringify(e).length < LIMITS.envTotalLength,
    `must be under ${LIMITS.envTotalLength} characters as JSON`,
  )
  .meta({ description: "Environment variables for the container. Values may be Pulumi secrets.", secret: true });

export const jupyterToken = z
  .string()
  .min(1)
  .max(LIMITS.jupyterTokenLength)
  .meta({ description: "Jupyter token (secret).", secret: true });
export const sshPassword = z
  .string()
  .min(1)
  .max(LIMITS.sshPasswordLength)
  .meta({ description: "SSH root password (secret).", secret: true });
export const sshKey = matching(
  z.string().min(1).max(LIMITS.sshKeyLength),
  /^(ssh-|ecdsa-|sk-)/,
  "must be an OpenSSH public key (ssh-ed25519 …, ssh-rsa …, ecdsa-…)",
  "SSH public key to authorize.",
);
export const command = z
  .string()
  .max(LIMITS.commandLength)
  .meta({ description: "Startup shell script run in the container." });
export const orderId = z.number().int().positive();

/**
 * Whether a field holds secrets (its meta says `secret: true`, through optional and default):
 * such inputs are secret in Pulumi state even when a program gives them as plain values, and
 * nothing on disk keeps them, not even hashed.
 */
export function isSecret(schema: z.ZodType): boolean {
  for (let s: z.ZodType | undefined = schema; s; s = (s._zod.def as { innerType?: z.ZodType }).innerType) {
    if ((z.globalRegistry.get(s) as { secret?: boolean } | undefined)?.secret) return true;
  }
  return false;
}
