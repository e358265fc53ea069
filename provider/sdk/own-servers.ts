import type { CloreClient } from "./client";
import type { MarketplaceServer } from "./models/marketplace";

/**
 * The marketplace servers the caller hosts, so find-and-rent and `cheapest` never rent the
 * user's own rig. The API's marketplace answer lists them in `my_servers` (docs example);
 * where it does not (newer client types dropped the field), servers whose `owner` is the
 * caller's user id (get_gigaspot's `my_user_id`, cached for an hour) are the caller's.
 */
export async function ownServerIds(
  client: CloreClient,
  market: { servers: MarketplaceServer[]; my_servers?: number[] | null },
): Promise<Set<number>> {
  if (Array.isArray(market.my_servers)) return new Set(market.my_servers);
  if (!client.hasApiKey) return new Set();
  const { my_user_id: me } = await client.call("get_gigaspot", {}, { maxAgeMs: 3_600_000 });
  return new Set(me == null ? [] : market.servers.filter((s) => s.owner === me).map((s) => s.id));
}
