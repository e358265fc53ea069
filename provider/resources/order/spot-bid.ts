import { type CloreClient, FieldError } from "../../sdk";
import { engineLog } from "../engine-log";

const LOWER_EVERY_S = 600;

/**
 * Move a spot bid from `from` to `to`. Raising is immediate. Lowering is limited by the API
 * to `max_step` per change and one change per 600 s, so we lower as far as allowed now,
 * return the bid actually set, and say how long the rest will take; the next `pulumi up`
 * continues (the diff still shows the remaining change).
 */
export async function changeBid(
  client: CloreClient,
  orderId: number,
  from: number,
  to: number,
  currency: string,
): Promise<number> {
  try {
    await client.setSpotPrice(orderId, to);
    return to;
  } catch (e) {
    if (!(e instanceof FieldError)) throw e;
    if (e.apiError === "exceeded_max_step") {
      const step = Number(e.response?.max_step);
      if (!(step > 0)) throw e;
      const next = Math.max(to, round(from - step));
      await client.setSpotPrice(orderId, next);
      const left = Math.ceil(round((next - to) / step));
      void engineLog(
        "warning",
        `clore: order ${orderId} bid lowered from ${from} to ${next} ${currency}/day; the API lowers by at most ${step} per change and once per ${LOWER_EVERY_S} s, ` +
          `so ${left} more step(s) remain (about ${Math.ceil((left * LOWER_EVERY_S) / 60)} min): run \`pulumi up\` again in 10 min to continue.`,
      );
      return next;
    }
    if (e.apiError === "can_lower_every_600_seconds") {
      const wait = Number(e.response?.time_to_lowering) || LOWER_EVERY_S;
      void engineLog(
        "warning",
        `clore: order ${orderId} bid stays at ${from} ${currency}/day: the API allows one lowering per ${LOWER_EVERY_S} s; run \`pulumi up\` again in ${Math.ceil(wait / 60)} min.`,
      );
      return from;
    }
    throw e;
  }
}

/** Bids are decimal amounts (BTC has 8 places): keep float noise out of them. */
function round(x: number): number {
  return Math.round(x * 1e8) / 1e8;
}
