import type * as http from "node:http";
import { CURRENCIES, type Currency } from "../sdk";
import type { Emulator } from "./emulator-interface";
import { GIGASPOT_SNAPSHOT_PATH } from "./handlers/gigaspot";
import { patchOptions } from "./options";
import { CONTROL_PREFIX, writeJson } from "./server";
import { gigaspotSnapshot } from "./views";

/**
 * The emulator's own HTTP interface under /_emulator, for tests in other processes and the
 * standalone emulator. No key needed, loopback callers only; these calls are not API
 * requests: they are neither logged nor rate limited.
 */
export const CONTROL_ROUTES = [
  "GET    /_emulator                      this list",
  "GET    /_emulator/orders[?active=true] every order ever created (or only active ones)",
  'POST   /_emulator/orders/<id>/end      {how?: "expired" | "host-ended"} end an order outside the API',
  "POST   /_emulator/orders/<id>/outbid   a spot order loses to a higher bid",
  "POST   /_emulator/orders/<id>/ssh-cut  close the order's SSH connections (its processes live on)",
  "POST   /_emulator/orders/<id>/ssh-freeze {ms} its SSH connections forward nothing for ms (a silent partition)",
  "GET    /_emulator/requests             the API request log",
  "DELETE /_emulator/requests             clear the log",
  "GET    /_emulator/faults               faults still waiting",
  "POST   /_emulator/faults               {endpoint?, kind, times?, delayMs?, error?, fields?, httpStatus?, orderIds?, returnCompleted?}",
  "DELETE /_emulator/faults               remove all faults",
  "POST   /_emulator/advance              {ms} move the virtual clock",
  "POST   /_emulator/reset                back to the seed data (options stay)",
  "GET    /_emulator/options              current options",
  "PATCH  /_emulator/options              change options (nested objects merge)",
  "GET    /_emulator/wallets              balances",
  "POST   /_emulator/wallets              {currency, balance} set a balance",
  `GET    ${GIGASPOT_SNAPSHOT_PATH}  the GigaSPOT market (get_gigaspot's v1_snapshot_url)`,
];

const LOOPBACK = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"]);

class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function createControlHandler(emulator: Emulator) {
  return async (req: http.IncomingMessage, res: http.ServerResponse, url: URL, raw: string): Promise<void> => {
    const reply = (status: number, body: unknown) => writeJson(res, { status, body });
    if (!LOOPBACK.has(req.socket.remoteAddress ?? ""))
      return reply(403, { error: "the control interface only answers on 127.0.0.1" });
    try {
      const body = raw.trim() ? (JSON.parse(raw) as unknown) : {};
      reply(200, await route(emulator, req.method ?? "GET", url, body));
    } catch (e) {
      if (e instanceof SyntaxError) return reply(400, { error: `body is not valid JSON: ${e.message}` });
      if (e instanceof ControlError) return reply(e.status, { error: e.message });
      if (e instanceof RangeError) return reply(400, { error: e.message });
      throw e;
    }
  };
}

async function route(emu: Emulator, method: string, url: URL, body: unknown): Promise<unknown> {
  const path = url.pathname.slice(CONTROL_PREFIX.length).replace(/\/+$/, "") || "/";
  const b = (body ?? {}) as Record<string, unknown>;
  const at = `${method} ${path}`;
  if (at === "GET /") return { url: emu.url, routes: CONTROL_ROUTES };
  if (at === "GET /orders") {
    await emu.idle();
    return { orders: url.searchParams.get("active") === "true" ? emu.activeOrders() : emu.allOrders() };
  }
  const sshAction = /^\/orders\/(\d+)\/ssh-(cut|freeze)$/.exec(path);
  if (method === "POST" && sshAction) {
    const id = Number(sshAction[1]);
    if (!emu.state.orders.has(id)) throw new ControlError(404, `order ${id} does not exist`);
    if (sshAction[2] === "cut") return { connections: emu.cutSsh(id) };
    if (typeof b.ms !== "number" || !(b.ms > 0)) throw new ControlError(400, "ssh-freeze needs {ms: number > 0}");
    return { connections: emu.freezeSsh(id, b.ms) };
  }
  const orderAction = /^\/orders\/(\d+)\/(end|outbid)$/.exec(path);
  if (method === "POST" && orderAction) {
    const id = Number(orderAction[1]);
    if (!emu.state.orders.has(id)) throw new ControlError(404, `order ${id} does not exist`);
    if (orderAction[2] === "outbid") emu.outbid(id);
    else {
      const how = b.how ?? "expired";
      if (how !== "expired" && how !== "host-ended")
        throw new ControlError(400, `how must be "expired" or "host-ended" (got ${JSON.stringify(how)})`);
      emu.endOrder(id, how);
    }
    await emu.idle();
    return { order: emu.allOrders().find((o) => o.id === id) };
  }
  switch (at) {
    case "GET /requests":
      return { requests: emu.requests };
    case "DELETE /requests":
      emu.requests.length = 0;
      return { ok: true };
    case "GET /faults":
      return { faults: emu.faults.list() };
    case "POST /faults":
      return { fault: emu.faults.inject(b as never) };
    case "DELETE /faults":
      emu.faults.clear();
      return { ok: true };
    case "POST /advance": {
      if (typeof b.ms !== "number") throw new ControlError(400, "advance needs {ms: number}");
      emu.advance(b.ms);
      await emu.idle();
      return { now: emu.now() };
    }
    case "POST /reset":
      emu.reset();
      await emu.idle();
      return { ok: true };
    case "GET /options":
      return { options: emu.options };
    case "PATCH /options": {
      patchOptions(emu.options, b);
      return { options: emu.options };
    }
    case "GET /wallets":
      return { wallets: CURRENCIES.map((c) => ({ name: c, balance: emu.state.walletBalance(c) })) };
    case "POST /wallets": {
      if (!CURRENCIES.includes(b.currency as Currency) || typeof b.balance !== "number") {
        throw new ControlError(400, `wallets needs {currency: ${CURRENCIES.join(" | ")}, balance: number}`);
      }
      emu.state.setWalletBalance(b.currency as Currency, b.balance);
      return { ok: true };
    }
  }
  if (method === "GET" && CONTROL_PREFIX + path === GIGASPOT_SNAPSHOT_PATH) return gigaspotSnapshot(emu.state);
  throw new ControlError(404, `no control route ${at}; GET ${CONTROL_PREFIX} lists them`);
}
