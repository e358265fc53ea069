import { GIGASPOT_CREATION_FEES } from "../seed-data";
import { type Handler, ok } from "../wire";

/** Path of the GigaSPOT market snapshot the emulator serves (no auth, like the real CDN file). */
export const GIGASPOT_SNAPSHOT_PATH = "/_emulator/gigaspot/v1/snapshot.json";

/** GET /get_gigaspot (fixture get_gigaspot.json); the snapshot URL points back at this emulator. */
export const getGigaspot: Handler<"get_gigaspot"> = ({ state, origin }) =>
  ok({
    my_user_id: state.userId,
    v1_snapshot_url: origin + GIGASPOT_SNAPSHOT_PATH,
    creation_fees: { ...GIGASPOT_CREATION_FEES },
  });

/**
 * POST /create_gigaspot_orders: one spot order per entry, without port forwarding
 * (docs/api-notes.md §6.12). Entries that fail land in the matching failed_* list; the call itself succeeds.
 */
export const createGigaspotOrders: Handler<"create_gigaspot_orders"> = ({ state, body, keyFingerprint }) => {
  const failedOc: number[] = [];
  const failedRent: number[] = [];
  const tooLow: number[] = [];
  for (const r of body) {
    const s = state.servers.get(r.renting_server);
    const fee = GIGASPOT_CREATION_FEES[r.currency] ?? state.creationFee("spot", r.currency);
    const gpuCount = ((s?.specs?.gpus as unknown[] | undefined) ?? []).length;
    if (!s?.gigaspot || !s.online || state.isRented(s) || !s.allowedCoins.includes(r.currency))
      failedRent.push(r.renting_server);
    else if (r.oc.length !== gpuCount) failedOc.push(r.renting_server);
    else if (state.belowSpotMin(s, r.currency, r.price)) tooLow.push(r.renting_server);
    else if (!state.canAfford(r.currency, fee, r.price)) failedRent.push(r.renting_server);
    else {
      state.createOrder({
        serverId: s.id,
        type: "spot",
        gigaspot: true,
        currency: r.currency,
        image: r.image,
        price: r.price,
        env: r.env,
        oc: r.oc,
        createdBy: keyFingerprint,
        creationFee: fee,
      });
    }
  }
  return ok({
    status: "ok",
    failed_to_oc_servers: failedOc,
    failed_to_rent_servers: failedRent,
    too_low_bids_servers: tooLow,
  });
};

/** POST /edit_gigaspot_orders: new bid (and overclock) per GigaSPOT order. */
export const editGigaspotOrders: Handler<"edit_gigaspot_orders"> = ({ state, body }) => {
  const success: number[] = [];
  const failed: number[] = [];
  const tooLow: number[] = [];
  for (const e of body) {
    const o = state.orders.get(e.order_id);
    const s = o && state.servers.get(o.serverId);
    if (o?.state !== "active" || !o.gigaspot) failed.push(e.order_id);
    else if (s && state.belowSpotMin(s, o.currency, e.price)) tooLow.push(e.order_id);
    else {
      state.setPrice(o, e.price);
      if (e.oc) o.oc = e.oc;
      success.push(e.order_id);
    }
  }
  return ok({ success_to_update_ids: success, failed_to_update_ids: failed, too_low_bid_ids: tooLow });
};
