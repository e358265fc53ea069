import type { z } from "zod";
import { PohBalanceResponse, RenterFeesResponse } from "./models/account";
import { Ack } from "./models/common";
import {
  CancelOrdersResponse,
  CreateGigaspotOrdersResponse,
  EditGigaspotOrdersResponse,
  GetGigaspotResponse,
} from "./models/gigaspot";
import { MarketplaceResponse } from "./models/marketplace";
import { MyServersResponse } from "./models/my-server";
import { MyOrdersResponse } from "./models/order";
import {
  CancelOrderBody,
  CancelOrdersBody,
  CreateGigaspotOrdersBody,
  EditGigaspotOrdersBody,
  MyOrdersQuery,
  ServerConfigBody,
  SetServerSettingsBody,
  SetSpotPriceBody,
  SpotMarketplaceQuery,
} from "./models/requests";
import { CreateOrderBody } from "./order-fields";
import { ServerConfigResponse } from "./models/server-config";
import { SpotMarketplaceResponse } from "./models/spot-market";
import { WalletsResponse } from "./models/wallet";
import type { Lane } from "./limiter";

export interface EndpointSpec {
  method: "GET" | "POST";
  /** Path below the base URL (`https://api.clore.ai/v1`). */
  path: `/${string}`;
  /** Query-string schema, for GET endpoints that take one. */
  query?: z.ZodType;
  /** JSON body schema. server_config is a GET *with* a body (docs/api-notes.md §6.3). */
  body?: z.ZodType;
  response: z.ZodType;
  lane: Lane;
  /**
   * Whether a failed request may be resent without risk. Reads are; create_order never is
   * (a failed create may still have rented the server: look it up instead).
   */
  idempotent: boolean;
  /** marketplace works without a key, like the official Python SDK's public endpoint. */
  auth: "required" | "optional";
  /**
   * Reads the client may answer from its cache (single-flight, and within a caller's
   * maxAgeMs); "persist" ones also from the program's disk cache across processes.
   */
  cache?: true | "persist";
}

/** The one place an endpoint is described: method, path, schemas and limiter lane. */
export const ENDPOINTS = {
  wallets: {
    method: "GET",
    path: "/wallets",
    response: WalletsResponse,
    lane: "general",
    idempotent: true,
    auth: "required",
  },
  marketplace: {
    method: "GET",
    path: "/marketplace",
    response: MarketplaceResponse,
    lane: "general",
    idempotent: true,
    auth: "optional",
    cache: "persist",
  },
  my_servers: {
    method: "GET",
    path: "/my_servers",
    response: MyServersResponse,
    lane: "general",
    idempotent: true,
    auth: "required",
  },
  server_config: {
    method: "GET",
    path: "/server_config",
    body: ServerConfigBody,
    response: ServerConfigResponse,
    lane: "general",
    idempotent: true,
    auth: "required",
  },
  my_orders: {
    method: "GET",
    path: "/my_orders",
    query: MyOrdersQuery,
    response: MyOrdersResponse,
    lane: "general",
    idempotent: true,
    auth: "required",
    cache: true,
  },
  spot_marketplace: {
    method: "GET",
    path: "/spot_marketplace",
    query: SpotMarketplaceQuery,
    response: SpotMarketplaceResponse,
    lane: "general",
    idempotent: true,
    auth: "required",
  },
  set_server_settings: {
    method: "POST",
    path: "/set_server_settings",
    body: SetServerSettingsBody,
    response: Ack,
    lane: "general",
    idempotent: true,
    auth: "required",
  },
  set_spot_price: {
    method: "POST",
    path: "/set_spot_price",
    body: SetSpotPriceBody,
    response: Ack,
    lane: "general",
    idempotent: false,
    auth: "required",
  },
  cancel_order: {
    method: "POST",
    path: "/cancel_order",
    body: CancelOrderBody,
    response: Ack,
    lane: "general",
    idempotent: true,
    auth: "required",
  },
  create_order: {
    method: "POST",
    path: "/create_order",
    body: CreateOrderBody,
    response: Ack,
    lane: "create",
    idempotent: false,
    auth: "required",
  },
  poh_balance: {
    method: "GET",
    path: "/poh_balance",
    response: PohBalanceResponse,
    lane: "general",
    idempotent: true,
    auth: "required",
  },
  renter_fees: {
    method: "GET",
    path: "/renter_fees",
    response: RenterFeesResponse,
    lane: "general",
    idempotent: true,
    auth: "required",
    cache: "persist",
  },
  get_gigaspot: {
    method: "GET",
    path: "/get_gigaspot",
    response: GetGigaspotResponse,
    lane: "general",
    idempotent: true,
    auth: "required",
    cache: "persist",
  },
  create_gigaspot_orders: {
    method: "POST",
    path: "/create_gigaspot_orders",
    body: CreateGigaspotOrdersBody,
    response: CreateGigaspotOrdersResponse,
    lane: "create",
    idempotent: false,
    auth: "required",
  },
  edit_gigaspot_orders: {
    method: "POST",
    path: "/edit_gigaspot_orders",
    body: EditGigaspotOrdersBody,
    response: EditGigaspotOrdersResponse,
    lane: "general",
    idempotent: false,
    auth: "required",
  },
  cancel_orders: {
    method: "POST",
    path: "/cancel_orders",
    body: CancelOrdersBody,
    response: CancelOrdersResponse,
    lane: "general",
    idempotent: true,
    auth: "required",
  },
} as const satisfies Record<string, EndpointSpec>;

export type EndpointName = keyof typeof ENDPOINTS;
export type EndpointResponse<E extends EndpointName> = z.output<(typeof ENDPOINTS)[E]["response"]>;
