import { z } from "zod";
import { ValidationError } from "./errors";
import * as f from "./fields";
import { type FieldRule, withRules } from "./validate";

/**
 * create_order's fields: the one declaration. Each field is the schema users write against
 * (camelCase, with its description) and the API's wire name. Everything else is derived
 * from here: the SDK's CreateOrderParams, the wire body schema the client checks before
 * sending (and the emulator checks on arrival), the body itself, the CLI's deploy flags,
 * and CloreOrder's inputs (which pick the fields a Pulumi program sets).
 */
export const CREATE_ORDER_FIELDS = {
  serverId: { wire: "renting_server", schema: f.serverId },
  image: { wire: "image", schema: f.image },
  type: { wire: "type", schema: f.orderType },
  currency: { wire: "currency", schema: f.currency },
  sshPassword: { wire: "ssh_password", schema: f.sshPassword.optional() },
  sshKey: { wire: "ssh_key", schema: f.sshKey.optional() },
  ports: { wire: "ports", schema: f.ports.optional() },
  env: { wire: "env", schema: f.env.optional() },
  jupyterToken: { wire: "jupyter_token", schema: f.jupyterToken.optional() },
  command: { wire: "command", schema: f.command.optional() },
  spotPrice: {
    wire: "spotprice",
    schema: f.price.optional().meta({ description: "Bid per day in `currency`; required for spot orders." }),
  },
  requiredPrice: {
    wire: "required_price",
    schema: f.price
      .optional()
      .meta({ description: "The price per day you expect; the API fails the rent if the price differs." }),
  },
  autosshEntrypoint: {
    wire: "autossh_entrypoint",
    schema: z
      .boolean()
      .optional()
      .meta({ description: "The API's autossh_entrypoint flag (its effect is undocumented)." }),
  },
  rememberPassword: {
    wire: "remember_password",
    schema: z
      .boolean()
      .optional()
      .meta({ description: "The API's remember_password flag (its effect is undocumented)." }),
  },
  dockerhubAuth: {
    wire: "dockerhub_auth",
    schema: z
      .string()
      .min(1)
      .optional()
      .meta({ description: "Docker Hub credentials for a private image (the format is undocumented)." }),
  },
} as const;

type Fields = typeof CREATE_ORDER_FIELDS;
export type CreateOrderField = keyof Fields;
type Shape = { [K in CreateOrderField]: Fields[K]["schema"] };
type WireShape = { [K in CreateOrderField as Fields[K]["wire"]]: Fields[K]["schema"] };

const entries = Object.entries(CREATE_ORDER_FIELDS) as [CreateOrderField, Fields[CreateOrderField]][];
/** The field schemas by camelCase name, for schemas that pick some of them (CloreOrder's inputs). */
export const CREATE_ORDER_SHAPE = Object.fromEntries(entries.map(([k, d]) => [k, d.schema])) as Shape;
const FIELD_OF_WIRE: Record<string, CreateOrderField> = Object.fromEntries(entries.map(([k, d]) => [d.wire, k]));

/** The rules between create_order's fields, declared once (CloreOrder adds its own beside them). */
export const CREATE_ORDER_RULES: FieldRule<{ type: string; spotPrice: number; adoptOrderId: number }>[] = [
  {
    path: "spotPrice",
    message: 'is required when type is "spot"',
    applies: (o) => o.type === "spot" && o.spotPrice === undefined && o.adoptOrderId === undefined,
  },
  {
    path: "spotPrice",
    message: 'is only allowed when type is "spot"',
    applies: (o) => o.type !== "spot" && o.spotPrice !== undefined,
  },
];

/** createOrder's parameters, camelCase: the fields above with their rules. */
export const CreateOrderParams = withRules(z.strictObject(CREATE_ORDER_SHAPE), CREATE_ORDER_RULES);
export type CreateOrderParams = z.input<typeof CreateOrderParams>;

/** A wire key's camelCase field name, for messages about a body built from parameters. */
export const createOrderParamName = (wireKey: string): string => FIELD_OF_WIRE[wireKey] ?? wireKey;

/**
 * The create_order body as the API takes it (snake_case). Loose: the API may take fields
 * we do not know. Same field schemas and rules as the parameters, so the client's check
 * before sending and the emulator's on arrival say what `check` says at preview.
 */
export const CreateOrderBody = withRules(
  z.looseObject(Object.fromEntries(entries.map(([, d]) => [d.wire, d.schema])) as WireShape),
  CREATE_ORDER_RULES,
  (body) => Object.fromEntries(Object.entries(body).map(([k, v]) => [createOrderParamName(k), v])),
  (field) => CREATE_ORDER_FIELDS[field as CreateOrderField]?.wire ?? field,
);
export type CreateOrderBody = z.input<typeof CreateOrderBody>;

/** The create_order fields of any object holding them (CloreOrder's inputs), unset ones left out. */
export function createOrderFields(values: object): CreateOrderParams {
  return Object.fromEntries(
    Object.entries(values).filter(([k, v]) => k in CREATE_ORDER_FIELDS && v !== undefined),
  ) as CreateOrderParams;
}

/**
 * createOrder's parameters renamed to the wire, unset ones left out. A key that is not a
 * create_order field is a typo: it fails here rather than being sent or dropped.
 */
export function createOrderBody(params: CreateOrderParams): CreateOrderBody {
  if (!params || typeof params !== "object" || Array.isArray(params)) {
    throw new ValidationError("createOrder", [{ path: "", code: "invalid_type", message: "must be an object" }]);
  }
  const unknown = Object.keys(params).filter((k) => !(k in CREATE_ORDER_FIELDS));
  if (unknown.length) {
    throw new ValidationError(
      "createOrder",
      unknown.map((k) => ({
        path: k,
        code: "unknown_field",
        message: "is not a known field; remove it or check its spelling",
      })),
    );
  }
  const body: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params))
    if (v !== undefined) body[CREATE_ORDER_FIELDS[k as CreateOrderField].wire] = v;
  return body as CreateOrderBody;
}
