import type { z } from "zod";
import type { ENDPOINTS, EndpointName } from "../sdk";
import type { EmulatorOptions } from "./options";
import type { EmulatorState } from "./state";

/**
 * Clore's wire format: every answer is a JSON object with an integer `code` (docs/api-notes.md §2).
 * Success payloads sit next to `code: 0`; code 6 carries an `error` string and extra fields.
 */
export interface Reply {
  status: number;
  body: Record<string, unknown>;
}

export const API_CODES = {
  ok: 0,
  database: 1,
  invalidInput: 2,
  invalidToken: 3,
  invalidEndpoint: 4,
  rateLimited: 5,
  fieldError: 6,
} as const;

export function ok(payload: Record<string, unknown> = {}): Reply {
  return { status: 200, body: { ...payload, code: API_CODES.ok } };
}

export function apiError(status: number, code: number, extra: Record<string, unknown> = {}): Reply {
  return { status, body: { code, ...extra } };
}

/**
 * Code 6: `{"code":6,"error":"<error>", ...extra}` at HTTP 200 (observed for server-already-rented).
 * `status` overrides options.fieldErrorHttpStatus.
 */
export function fieldError(
  options: EmulatorOptions,
  error: string,
  extra: Record<string, unknown> = {},
  status?: number,
): Reply {
  return apiError(status ?? options.fieldErrorHttpStatus, API_CODES.fieldError, { error, ...extra });
}

/** Code 1; `status` overrides options.databaseErrorHttpStatus. */
export function databaseError(options: EmulatorOptions, status?: number): Reply {
  return apiError(status ?? options.databaseErrorHttpStatus, API_CODES.database);
}

export function invalidInput(options: EmulatorOptions, error: string): Reply {
  return apiError(options.invalidInputHttpStatus, API_CODES.invalidInput, { error });
}

type Spec<E extends EndpointName> = (typeof ENDPOINTS)[E];
export type BodyOf<E extends EndpointName> =
  Spec<E> extends { body: infer S extends z.ZodType } ? z.output<S> : undefined;
export type QueryOf<E extends EndpointName> =
  Spec<E> extends { query: infer S extends z.ZodType } ? z.output<S> : undefined;

/** What a handler gets: the request already checked against the endpoint's zod schemas. */
export interface HandlerContext<E extends EndpointName = EndpointName> {
  endpoint: E;
  body: BodyOf<E>;
  query: QueryOf<E>;
  state: EmulatorState;
  options: EmulatorOptions;
  /** Fingerprint of the caller's key ("anonymous" without one). */
  keyFingerprint: string;
  /** Origin of the emulator, e.g. http://127.0.0.1:43123 (for URLs it hands out). */
  origin: string;
}

export type Handler<E extends EndpointName> = (ctx: HandlerContext<E>) => Reply | Promise<Reply>;
export type HandlerTable = { [E in EndpointName]: Handler<E> };
