import type { MarketplaceServer } from "../../sdk";
import { selectOffers, versionAtLeast } from "../marketplace/filters";
import { Selection, type OrderInputsResolved, type ServerFacts } from "./schema";

/**
 * Find-and-rent, the pure part: which servers to try, cheapest first, and whether a server
 * already rented still satisfies changed criteria (then the order stays).
 */
export function candidates(
  servers: MarketplaceServer[],
  i: Pick<OrderInputsResolved, "currency" | "type" | "maxPricePerDay" | "spotPrice"> & { select: Selection },
): number[] {
  // Every criterion getMarketplace knows (SERVER_CRITERIA); own servers are left out by the caller.
  const { includeOwnServers: _own, maxAttempts: _attempts, ...criteria } = i.select;
  const offers = selectOffers(servers, {
    ...criteria,
    currency: i.currency,
    type: i.type,
    // A spot bid must reach the server's minimum; an on-demand price must stay under the cap.
    maxPricePerDay: i.type === "spot" ? i.spotPrice : i.maxPricePerDay,
    availableOnly: true,
    sort: "price",
  });
  return offers.map((o) => o.id);
}

export function factsOf(server: MarketplaceServer): ServerFacts {
  return {
    gpuModels: server.gpu_array?.length ? server.gpu_array : server.gpuModel ? [server.gpuModel] : [],
    gpuCount: server.gpuCount,
    ramGb: server.ramGb,
    reliability: server.reliability ?? undefined,
    cudaVersion: server.cuda_version ?? undefined,
    country: server.location,
  };
}

/** Whether the rented server (as recorded) meets `select`. Unknown facts do not satisfy. */
export function satisfies(f: ServerFacts | undefined, selectInput: unknown): boolean {
  if (!f) return false;
  const s = Selection.parse(selectInput);
  if (s.gpus && !s.gpus.some((g) => f.gpuModels.some((m) => m.toLowerCase().includes(g.toLowerCase())))) return false;
  if (s.minGpuCount !== undefined && f.gpuCount < s.minGpuCount) return false;
  if (s.minRamGb !== undefined && (f.ramGb ?? 0) < s.minRamGb) return false;
  if (s.minReliability !== undefined && (f.reliability ?? 0) < s.minReliability) return false;
  if (s.minCudaVersion !== undefined && !versionAtLeast(f.cudaVersion, s.minCudaVersion)) return false;
  if (s.country !== undefined && f.country?.toUpperCase() !== s.country.toUpperCase()) return false;
  return true;
}
