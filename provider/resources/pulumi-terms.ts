import { isCloreError } from "../sdk";

/**
 * The SDK's errors name the next step in SDK terms; inside a Pulumi stack the next step is a
 * Pulumi command. One place adds it, for errors the providers let through.
 */
const NEXT_STEP: Partial<Record<string, string>> = {
  CLORE_AUTH_FAILED:
    "In a Pulumi stack set it with `pulumi config set --secret clore:apiKey <key>` (or CLORE_API_KEY). " +
    "`pulumi refresh` and `destroy` use the key recorded at the last `pulumi up`: after changing it, run `pulumi up` first or add `--run-program`.",
};

export function inPulumiTerms(e: unknown): unknown {
  if (!isCloreError(e)) return e;
  const step = NEXT_STEP[e.code];
  if (step && !e.message.endsWith(step)) e.message += ` ${step}`;
  return e;
}
