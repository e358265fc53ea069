import { CloreClient, isCloreError } from "pulumi-clore/sdk";

/**
 * One of the two reader processes: `count` sequential wallets() calls with the key and base
 * URL from CLORE_API_KEY / CLORE_BASE_URL, through the SDK's default limiter (the shared
 * file ledger unless CLORE_RATE_LIMIT_SHARED=0). Prints one JSON line.
 *
 *     node -r ts-node/register bench/sdk-reader.ts 50
 */
async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 50);
  await using client = new CloreClient();
  let failed = 0;
  const errors: Record<string, number> = {};
  const start = performance.now();
  for (let n = 0; n < count; n++) {
    try {
      await client.wallets();
    } catch (e) {
      failed++;
      const code = isCloreError(e) ? e.code : String(e);
      errors[code] = (errors[code] ?? 0) + 1;
    }
  }
  console.log(JSON.stringify({ pid: process.pid, count, failed, errors, ms: Math.round(performance.now() - start) }));
}

main().catch((e) => {
  console.error(e);
  process.exit(2);
});
