import { setFlagsFromString } from "node:v8";

/**
 * Stop V8 growing the plugin's young generation past the size it has when we load.
 *
 * V8 doubles the young generation (the semi-spaces of short-lived objects) each time the
 * bytes that survived scavenges since the last doubling exceed its size, and only shrinks
 * it when the process goes quiet. The plugin host ends its start-up with 2 × 16 MB; loading
 * our modules and serving a long `pulumi up` pushes it to 2 × 32 and 2 × 64 MB, and each
 * doubling becomes resident memory once scavenges have used it: measured, most of the
 * plugin's peak above the host's own floor. At growth factor 1 it stays where it is; the
 * cost is more, smaller scavenges, which a process that mostly waits on the network and the
 * rate limiter does not notice.
 *
 * The flag is read by V8 at every resize, so setting it after start-up takes effect (the
 * maximum size is fixed at start-up and cannot be lowered from here). Loaded only by the
 * plugin-side entry (`pulumi-clore/dynamic`), never by a Pulumi program.
 * CLORE_V8_DEFAULTS=1 leaves V8 as it is.
 *
 * Only on the Node majors we measured it on: V8 prints "unrecognized flag" to the plugin's
 * output (which Pulumi shows the user) should a later version drop the flag.
 */
const TESTED_NODE_MAJORS = new Set([22, 24]);
if (process.env.CLORE_V8_DEFAULTS !== "1" && TESTED_NODE_MAJORS.has(Number(process.versions.node.split(".")[0]))) {
  setFlagsFromString("--semi-space-growth-factor=1");
}
