import assert from "node:assert/strict";
import { CloreClient, FakeClock, MarketplaceResponse, RateLimiter, ownServerIds } from "../../provider/sdk";
import { FakeTransport, byEndpoint, type FakeReply, uniqueKey } from "../helpers/fake-transport";
import { fixture } from "../helpers/fixtures";

const market = MarketplaceResponse.parse(fixture("marketplace.json"));

function client(routes: Record<string, FakeReply>) {
  const clock = new FakeClock();
  const transport = new FakeTransport(byEndpoint(routes), clock);
  return {
    transport,
    client: new CloreClient({ apiKey: uniqueKey("own"), clock, rateLimiter: new RateLimiter({ clock }), transport }),
  };
}

describe("the servers the key hosts (never rented by accident)", () => {
  it("are the marketplace's my_servers when the answer lists them: no extra call", async () => {
    const { client: c, transport } = client({});
    assert.deepEqual(
      [...(await ownServerIds(c, { ...market, my_servers: [market.servers[0]!.id] }))],
      [market.servers[0]!.id],
    );
    assert.equal(transport.requests.length, 0);
  });

  it("are the servers whose owner is the caller's user id (get_gigaspot) when my_servers is absent", async () => {
    const owner = market.servers[1]!.owner!;
    const { client: c, transport } = client({
      get_gigaspot: { json: { code: 0, my_user_id: owner, v1_snapshot_url: "https://x", creation_fees: {} } },
    });
    const ids = await ownServerIds(c, { servers: market.servers });
    assert.deepEqual(
      [...ids],
      market.servers.filter((s) => s.owner === owner).map((s) => s.id),
    );
    // The user id is cached: asking again costs nothing.
    await ownServerIds(c, { servers: market.servers });
    assert.deepEqual(transport.endpoints, ["get_gigaspot"]);
  });
});
