import { CURRENCIES } from "../../sdk";
import * as view from "../views";
import { type Handler, fieldError, ok } from "../wire";

/** GET /my_servers (fixture my_servers.json): the servers the caller hosts. */
export const myServers: Handler<"my_servers"> = ({ state, options }) =>
  ok({ servers: state.hostedServers().map((s) => view.myServer(state, s)), limit: options.myServersLimit });

/** /server_config (fixture server_config.json). The server routes GET+body, POST and ?server_name= here. */
export const serverConfig: Handler<"server_config"> = ({ state, options, body }) => {
  const s = state.hostedServer(body.server_name);
  if (!s) return fieldError(options, options.inventedErrors.serverNotFound);
  // creation_completed is undocumented; INFERRED: true once the server has connected.
  return ok({ config: view.serverConfig(state, s), creation_completed: s.connected });
};

/**
 * POST /set_server_settings, both layouts (docs/api-notes.md §6.7): current `<Currency>_on_demand`,
 * `<Currency>_spot`, `enabled-<Currency>`, `autoprice`, `usd_pricing`; legacy `on_demand` /
 * `spot` (bitcoin per day). my_servers, server_config and marketplace read the same record.
 */
export const setServerSettings: Handler<"set_server_settings"> = ({ state, options, body }) => {
  const s = state.hostedServer(body.name);
  if (!s) return fieldError(options, options.inventedErrors.serverNotFound);
  const b = body as Record<string, unknown>;
  s.visibility = body.availability ? "public" : "hidden";
  s.mrl = body.mrl;
  if (body.on_demand !== undefined) s.onDemand.bitcoin = body.on_demand;
  if (body.spot !== undefined) s.spotMin.bitcoin = body.spot;
  for (const c of CURRENCIES) {
    const onDemand = b[`${c}_on_demand`];
    const spot = b[`${c}_spot`];
    const enabled = b[`enabled-${c}`];
    if (typeof onDemand === "number") s.onDemand[c] = onDemand;
    if (typeof spot === "number") s.spotMin[c] = spot;
    if (enabled === true && !s.allowedCoins.includes(c)) s.allowedCoins.push(c);
    if (enabled === false) s.allowedCoins = s.allowedCoins.filter((x) => x !== c);
  }
  if (body.autoprice) Object.assign(s.autoprice, body.autoprice);
  if (body.usd_pricing) {
    for (const [c, p] of Object.entries(body.usd_pricing)) s.usdPricing[c] = { on_demand: p.on_demand, spot: p.spot };
  }
  return ok();
};
