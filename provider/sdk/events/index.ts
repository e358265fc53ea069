/**
 * Lifecycle events (order rented, ready, outbid, TTL cancelled, swept as an orphan; job started,
 * reconnected, restarted, finished, failed) to JSON lines and webhooks. One declaration of the
 * event (event.ts), one parser of the setting (setting.ts), sinks that never fail an operation.
 */
export * from "./event";
export * from "./setting";
export * from "./event-bus";
export { type EventSink, JsonLinesSink } from "./line-sink";
export { type WebhookOptions, WebhookSink, postJson, webhookBody } from "./webhook-sink";
