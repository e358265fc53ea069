export { type Answer, type ApiCall, type Handler, type Layer, compose } from "./call";
export { cacheLayer } from "./cache";
export { checkRequest } from "./check-request";
export { limitLayer } from "./limit";
export { type RetryOptions, exponentialBackoff, retryLayer } from "./retry";
export { type RequestEvent, type SendOptions, requestChannel, sendHandler } from "./send";
