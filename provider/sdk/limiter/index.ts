export * from "./file-store";
export * from "./rate-limiter";
export * from "./rate-slots";
export * from "./redis-store";
export * from "./slot-store";
