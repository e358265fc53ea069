/**
 * A local Clore.ai API emulator: a real HTTP server on 127.0.0.1 that routes and checks
 * requests with the SDK's own endpoint table and zod schemas. See docs/emulator.md.
 */
export { startEmulator } from "./emulator";
export type { Emulator, EmulatorOrder, StartEmulatorOptions } from "./emulator-interface";
export { DEFAULT_OPTIONS, type EmulatorOptions } from "./options";
export { FAULT_KINDS, FaultInjector, type ActiveFault, type FaultKind, type FaultSpec } from "./faults";
export { EmulatorState } from "./state";
export { marketplaceListing } from "./views";
export type { EndReason, ForeignOffer, OrderRecord, OrderState, ServerRecord, WalletRecord } from "./records";
export { CONTROL_ROUTES } from "./control";
export type { RequestLogEntry } from "./server";
