#!/usr/bin/env python3
"""Run every method of the official Python SDK (clore-ai, PyPI) against a Clore API base URL.

    .venv/bin/python test/python/official_sdk_check.py --base-url http://127.0.0.1:8080/v1 \\
        --api-key clore-emulator-demo-key [--time-scale 0.1]

Meant for the local emulator (provider/emulator); test/python/official-sdk.spec.ts runs it.
It rents two servers and cancels them again, so never point it at the real API with a funded key.

Prints ONE JSON document on stdout (nothing else goes to stdout); exits 0 unless it could not
run the methods at all (then the document is {"fatal": ..., "traceback": ...} and the exit 1):

    {"sdk_version": "0.1.1", "elapsed_s": 3.2, "order_ids": {...},
     "methods": {"wallets": {"ok": true, "error": null, "summary": {...}}, ...},
     "probes": {...}}

Every one of the ten methods (wallets, marketplace, my_servers, server_config, my_orders,
create_order, cancel_order, spot_marketplace, set_spot_price, set_server_settings) gets an
entry. A method called more than once (marketplace with filters, my_orders before/after
create, ...) lists each call under summary.calls; it is ok only if every call was. One method
failing never stops the others. `probes` holds extra calls that show how the SDK reacts to
the API's HTTP statuses (429, 401), to a code-6 answer, and how it paces create_order.

Arguments fall back to environment variables: CLORE_BASE_URL, CLORE_API_KEY,
CLORE_EMULATOR_TIME_SCALE. --time-scale scales the SDK's own rate limiter (1 s general,
5 s create_order) to match an emulator running at that time scale (default 1 = real time).
"""

import argparse
import json
import os
import socket
import sys
import time
import traceback
from typing import Any, Callable, Dict, List, Optional
from urllib.parse import urlsplit

START = time.monotonic()

# How much wider than the (scaled) API limits the SDK's limiter spaces requests. The SDK
# spaces the moments requests *start*; a request can reach the server a few ms later than
# the one before it did, so an exact 1.0 s gap can arrive as 0.99 s and earn a 429.
# 30 ms, or 5 % of the interval when that is more (real time: 50 ms); --rate-margin overrides.
RATE_MARGIN_S = 0.03


def small(v: Any, depth: int = 0) -> Any:
    """A JSON-safe, size-bounded copy of v (for inputs quoted in validation errors)."""
    if v is None or isinstance(v, (bool, int, float)):
        return v
    if isinstance(v, str):
        return v if len(v) <= 200 else v[:200] + "..."
    if isinstance(v, (list, tuple)):
        if depth >= 2:
            return "<%s of %d>" % (type(v).__name__, len(v))
        return [small(x, depth + 1) for x in list(v)[:10]]
    if isinstance(v, dict):
        if len(v) > 8 or depth >= 2:  # big or deep: keys with scalar values only
            return {str(k): (x if x is None or isinstance(x, (bool, int, float, str)) else "<%s>" % type(x).__name__)
                    for k, x in list(v.items())[:40]}
        return {str(k): small(x, depth + 1) for k, x in v.items()}
    return repr(v)[:200]


def describe_error(e: BaseException) -> Dict[str, Any]:
    """Class, SDK error code / raw response, and pydantic validation errors, as JSON."""
    out: Dict[str, Any] = {"class": type(e).__name__, "module": type(e).__module__}
    if hasattr(e, "code"):
        out["code"] = getattr(e, "code")
    if hasattr(e, "response"):
        out["response"] = small(getattr(e, "response"))
    errors = getattr(e, "errors", None)
    if callable(errors) and type(e).__name__ == "ValidationError":
        out["model"] = getattr(e, "title", None)
        out["validation_errors"] = [
            {
                "loc": ".".join(str(p) for p in err.get("loc", ())),
                "type": err.get("type"),
                "input_type": type(err.get("input")).__name__,
                "input": small(err.get("input")),
            }
            for err in errors()
        ]
    return out


def error_text(e: BaseException) -> str:
    message = str(e).strip()
    return "%s: %s" % (type(e).__name__, message[:600])


class Method:
    """Records one SDK method: each call's outcome plus small facts about its result."""

    def __init__(self, name: str):
        self.name = name
        self.calls: Dict[str, Dict[str, Any]] = {}
        self.facts: Dict[str, Any] = {}

    def call(self, label: str, fn: Callable[[], Any], summarize: Callable[[Any], Dict[str, Any]] = lambda r: {}) -> Any:
        """Run fn(); on success record summarize(result), on failure the error. Returns the result or None."""
        t0 = time.monotonic()
        entry: Dict[str, Any] = {"ok": False, "error": None}
        result = None
        try:
            result = fn()
            entry["ok"] = True
            try:
                entry.update(summarize(result))
            except Exception as e:  # a bug in the summary must not mark the call failed
                entry["summary_error"] = error_text(e)
        except Exception as e:
            entry["error"] = error_text(e)
            entry["error_detail"] = describe_error(e)
        entry["seconds"] = round(time.monotonic() - t0, 3)
        self.calls[label] = entry
        return result

    def skip(self, label: str, why: str) -> None:
        self.calls[label] = {"ok": False, "error": "Skipped: %s" % why, "seconds": 0}

    def report(self) -> Dict[str, Any]:
        failed = [c for c in self.calls.values() if not c["ok"]]
        return {
            "ok": bool(self.calls) and not failed,
            "error": failed[0]["error"] if failed else None,
            "summary": dict(self.facts, calls=self.calls),
        }


def main() -> Dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base-url", default=os.environ.get("CLORE_BASE_URL"))
    ap.add_argument("--api-key", default=os.environ.get("CLORE_API_KEY"))
    ap.add_argument("--time-scale", type=float, default=float(os.environ.get("CLORE_EMULATOR_TIME_SCALE", "1")))
    ap.add_argument("--rate-margin", type=float, default=None,
                    help="seconds added to the SDK's scaled intervals (default: 30 ms or 5 %% of the interval)")
    ap.add_argument("--hosted-server", default="rig-alpha", help="name of a server the key's account hosts")
    ap.add_argument("--on-demand-server", type=int, default=52211, help="marketplace id to rent on demand")
    ap.add_argument("--on-demand-currency", default="USD-Blockchain")
    ap.add_argument("--spot-server", type=int, default=38811, help="marketplace id to bid on")
    ap.add_argument("--spot-currency", default="USD-Blockchain")
    ap.add_argument("--rented-server", type=int, default=52210, help="marketplace id someone else rents (for the create_order probes)")
    ap.add_argument("--rented-currency", default="bitcoin")
    ap.add_argument("--spot-bid", type=float, default=0.9, help="initial bid per day")
    ap.add_argument("--spot-raise", type=float, default=1.0, help="bid per day after set_spot_price")
    ap.add_argument("--new-on-demand", type=float, default=0.00004, help="BTC/day set_server_settings sets")
    ap.add_argument("--new-spot", type=float, default=0.000025, help="BTC/day spot minimum set_server_settings sets")
    ap.add_argument("--new-mrl", type=int, default=96)
    args = ap.parse_args()
    if not args.base_url or not args.api_key:
        ap.error("--base-url and --api-key (or CLORE_BASE_URL / CLORE_API_KEY) are required")
    if not args.time_scale > 0:
        ap.error("--time-scale must be > 0")

    # Fail fast when nothing listens: each SDK call would retry for 7 s before giving up.
    target = urlsplit(args.base_url)
    try:
        socket.create_connection((target.hostname, target.port or (443 if target.scheme == "https" else 80)), timeout=5).close()
    except OSError as e:
        raise RuntimeError("cannot connect to %s: %s" % (args.base_url, e))

    from importlib.metadata import version

    import clore_ai
    from clore_ai import CloreAI
    from clore_ai.models import Order

    out: Dict[str, Any] = {
        "sdk_version": version("clore-ai"),
        "python": sys.version.split()[0],
        "base_url": args.base_url,
        "time_scale": args.time_scale,
    }
    client = CloreAI(api_key=args.api_key, base_url=args.base_url)
    # The SDK's limiter defaults to the API's own limits (1 req/s, 5 s between creates);
    # scale it like the emulator's clock, a little wider (see RATE_MARGIN_S).
    # create_order_delay gets one general interval more: clore-ai 0.1.1's RateLimiter.wait()
    # stamps last_create_order *before* it sleeps for the general interval, so the next
    # create can leave up to min_interval early (probe "create_spacing" shows it). Without
    # this the second create below sometimes earns a 429 and a blind 1 s retry.
    margin = args.rate_margin if args.rate_margin is not None else max(RATE_MARGIN_S, 0.05 * args.time_scale)
    client.rate_limiter.min_interval = 1.0 * args.time_scale + margin
    client.rate_limiter.create_order_delay = 5.0 * args.time_scale + client.rate_limiter.min_interval + margin
    out["rate_limiter"] = {"min_interval": client.rate_limiter.min_interval, "create_order_delay": client.rate_limiter.create_order_delay}

    m = {name: Method(name) for name in (
        "wallets", "marketplace", "my_servers", "server_config", "my_orders",
        "create_order", "cancel_order", "spot_marketplace", "set_spot_price", "set_server_settings",
    )}
    probes: Dict[str, Any] = {}
    # When each request of the main flow left (wall clock, as the SDK's limiter saw it), so a
    # reader can tell the SDK's pacing from a server that logged a request late.
    sends: List[List[Any]] = []
    client.client.event_hooks["request"] = [lambda req: sends.append([req.url.path.rsplit("/", 1)[-1], round(time.time(), 4)])]
    order_ids: Dict[str, Optional[int]] = {"on_demand": None, "spot": None}

    def raw_orders(include_completed: bool) -> List[Dict[str, Any]]:
        # The SDK's own transport (auth header, limiter), without its Order model.
        res = client._request("GET", "my_orders", params={"return_completed": "true" if include_completed else "false"})
        return list(res.get("orders", []))

    def find_new_order(server_id: int, known: List[int]) -> Optional[int]:
        # docs/api-notes.md §7: create_order returns no id; the new order is the newest one on that server.
        candidates = [o for o in raw_orders(False) if o.get("si") == server_id and o.get("id") not in known]
        return max(candidates, key=lambda o: o["id"])["id"] if candidates else None

    def order_model_errors(orders: List[Dict[str, Any]]) -> Dict[str, Any]:
        # Which fields of each order the SDK's Order model rejects (it stops at the first bad order).
        report: Dict[str, Any] = {}
        for o in orders:
            try:
                Order(**o)
                report[str(o.get("id"))] = []
            except Exception as e:
                report[str(o.get("id"))] = describe_error(e).get("validation_errors", [error_text(e)])
        return report

    # ---- wallets -------------------------------------------------------------------------
    m["wallets"].call("wallets", client.wallets, lambda ws: {
        "count": len(ws),
        "wallets": [{"name": w.name, "balance": w.balance, "deposit": w.deposit, "withdrawal_fee": w.withdrawal_fee} for w in ws],
    })

    # ---- marketplace (client-side filters) -----------------------------------------------
    def servers_summary(servers: List[Any]) -> Dict[str, Any]:
        return {
            "count": len(servers),
            "ids": [s.id for s in servers],
            "servers": {str(s.id): {"gpu_model": s.gpu_model, "gpu_count": s.gpu_count, "ram_gb": s.ram_gb,
                                     "price_usd": s.price_usd, "available": s.available, "location": s.location}
                        for s in servers},
        }

    mk = m["marketplace"]
    mk.call("default", client.marketplace, servers_summary)
    mk.facts["filters"] = {"gpu": "RTX 4090", "min_gpu_count": 1, "min_ram_gb": 32, "max_price_usd": 5.0}
    mk.call("filtered", lambda: client.marketplace(**mk.facts["filters"]), servers_summary)
    mk.call("including_rented", lambda: client.marketplace(available_only=False), servers_summary)
    # The SDK documents max_price_usd as USD per *hour*; 0.5 USD/h is a budget an
    # RTX 4090 at 3.6 USD/day (0.15 USD/h) fits.
    mk.call("hourly_budget_0_5", lambda: client.marketplace(max_price_usd=0.5), servers_summary)
    keyless = CloreAI(api_key=None, base_url=args.base_url)  # "public endpoint — no API key required"
    keyless.rate_limiter.min_interval = client.rate_limiter.min_interval
    mk.call("keyless", keyless.marketplace, lambda ss: {"count": len(ss)})
    keyless.close()

    # ---- my_servers ------------------------------------------------------------------------
    m["my_servers"].call("my_servers", client.my_servers, lambda ss: {
        "count": len(ss), "servers": [{"id": s.id, "name": s.name, "status": s.status} for s in ss],
    })

    # ---- server_config -----------------------------------------------------------------------
    def config_summary(c: Any) -> Dict[str, Any]:
        return {"id": c.id, "name": c.name, "mrl": c.mrl, "visibility": c.visibility, "online": c.online,
                "pricing": c.pricing, "spot_pricing": c.spot_pricing, "gpu_model": c.gpu_model,
                "on_demand_price": c.on_demand_price, "spot_price": c.spot_price,
                "background_job_image": c.background_job.image if c.background_job else None}

    m["server_config"].call("server_config", lambda: client.server_config(args.hosted_server), config_summary)

    # ---- my_orders before any order ------------------------------------------------------------
    mo = m["my_orders"]
    mo.call("before_create", client.my_orders, lambda os_: {"count": len(os_)})

    # ---- create_order: on-demand, then spot ---------------------------------------------------
    co = m["create_order"]

    def created(order: Any) -> Dict[str, Any]:
        return {"order_id": getattr(order, "id", None)}

    co.call("on_demand", lambda: client.create_order(
        server_id=args.on_demand_server, image="cloreai/ubuntu22.04-cuda12", type="on-demand",
        currency=args.on_demand_currency, ssh_password="Emul8orPass", ports={"22": "tcp", "8888": "http"},
        env={"NVIDIA_VISIBLE_DEVICES": "all"}, jupyter_token="tok123", command="echo started",
    ), created)
    try:
        order_ids["on_demand"] = find_new_order(args.on_demand_server, [])
    except Exception as e:
        co.facts["on_demand_lookup_error"] = error_text(e)
    co.call("spot", lambda: client.create_order(
        server_id=args.spot_server, image="cloreai/ubuntu22.04-cuda12", type="spot",
        currency=args.spot_currency, spot_price=args.spot_bid, ports={"22": "tcp", "8888": "http"},
    ), created)
    try:
        order_ids["spot"] = find_new_order(args.spot_server, [i for i in order_ids.values() if i])
    except Exception as e:
        co.facts["spot_lookup_error"] = error_text(e)
    co.facts["order_ids_from_my_orders"] = dict(order_ids)
    co.facts["id_lookup"] = "CloreAI._request('GET', 'my_orders'): create_order returns no id (docs/api-notes.md §7)"

    # ---- my_orders with orders, then the raw orders for the record --------------------------------
    def orders_summary(os_: List[Any]) -> Dict[str, Any]:
        return {"count": len(os_), "ids": [o.id for o in os_]}

    mo.call("active", client.my_orders, orders_summary)
    try:
        active = raw_orders(False)
        mo.facts["raw_active"] = [{"id": o.get("id"), "si": o.get("si"), "pub_cluster": o.get("pub_cluster"),
                                   "tcp_ports": o.get("tcp_ports"), "http_port": o.get("http_port"), "spot": o.get("spot")}
                                  for o in active]
        mo.facts["order_model_errors"] = order_model_errors(active)
    except Exception as e:
        mo.facts["raw_error"] = error_text(e)

    # ---- spot_marketplace -------------------------------------------------------------------------
    def market_summary(mkt: Any) -> Dict[str, Any]:
        offers = mkt.offers or []
        return {
            "offers": [{"sdk_order_id": o.order_id, "sdk_price": o.price, "sdk_server_id": o.server_id,
                        "extra": small(o.model_extra or {})} for o in offers],
            "server": {"mrl": mkt.server.mrl, "online": mkt.server.online, "visibility": mkt.server.visibility,
                       "min_pricing": mkt.server.min_pricing} if mkt.server else None,
            "currency_rates_in_usd": mkt.currency_rates_in_usd,
        }

    m["spot_marketplace"].call("spot_marketplace", lambda: client.spot_marketplace(args.spot_server), market_summary)

    # ---- set_spot_price: raise the bid (always allowed, docs/api-notes.md §6.8) --------------------------------
    if order_ids["spot"]:
        m["set_spot_price"].call("raise", lambda: client.set_spot_price(order_ids["spot"], args.spot_raise),
                                 lambda r: {"response": small(r), "order_id": order_ids["spot"], "price": args.spot_raise})
    else:
        m["set_spot_price"].skip("raise", "no spot order id (create_order or the my_orders lookup failed)")

    # ---- set_server_settings (the SDK sends the legacy layout: on_demand / spot = BTC per day) ----
    ss = m["set_server_settings"]
    ss.facts["sent"] = {"name": args.hosted_server, "availability": True, "mrl": args.new_mrl,
                        "on_demand": args.new_on_demand, "spot": args.new_spot}
    ss.call("set", lambda: client.set_server_settings(**ss.facts["sent"]), lambda r: {"response": small(r)})
    ss.call("server_config_after", lambda: client.server_config(args.hosted_server), config_summary)

    # ---- cancel_order ---------------------------------------------------------------------------------
    for kind, issue in (("on_demand", "Job complete"), ("spot", None)):
        oid = order_ids[kind]
        if oid:
            m["cancel_order"].call(kind, lambda oid=oid, issue=issue: client.cancel_order(oid, issue=issue),
                                   lambda r, oid=oid: {"response": small(r), "order_id": oid})
        else:
            m["cancel_order"].skip(kind, "no %s order id" % kind)

    # ---- my_orders after cancelling ---------------------------------------------------------------------
    mo.call("after_cancel", client.my_orders, orders_summary)
    mo.call("include_completed", lambda: client.my_orders(include_completed=True), orders_summary)
    try:
        done = raw_orders(True)
        mo.facts["raw_completed"] = [{"id": o.get("id"), "expired": o.get("expired"), "pub_cluster": o.get("pub_cluster"),
                                      "tcp_ports": o.get("tcp_ports")} for o in done]
        mo.facts["completed_order_model_errors"] = order_model_errors(done)
    except Exception as e:
        mo.facts["raw_completed_error"] = error_text(e)

    # ---- probes: how the SDK maps the API's HTTP error statuses ------------------------------------
    client.client.event_hooks["request"] = []
    out["main_flow_sends"] = sends
    out["probes_started_at"] = round(time.time(), 4)

    def probe(label: str, fn: Callable[[], Any]) -> None:
        t0 = time.monotonic()
        try:
            res = fn()
            probes[label] = {"raised": False, "result": small(res)}
        except Exception as e:
            probes[label] = {"raised": True, "error": error_text(e), "error_detail": describe_error(e),
                             "is_rate_limit_error": isinstance(e, clore_ai.RateLimitError),
                             "is_auth_error": isinstance(e, clore_ai.AuthError)}
        probes[label]["seconds"] = round(time.monotonic() - t0, 3)

    # Over the limit on purpose: one request right after another. max_retries=0 so the SDK
    # raises at once instead of retrying.
    saved = (client.max_retries, client.rate_limiter.min_interval)
    try:
        client.max_retries = 0
        client.wallets()  # paced normally; the next one is not
        client.rate_limiter.min_interval = 0.0
        probe("too_fast", client.wallets)
    except Exception as e:
        probes["too_fast"] = {"raised": True, "error": "setup failed: " + error_text(e)}
    finally:
        client.max_retries, client.rate_limiter.min_interval = saved
    bad = CloreAI(api_key="not-a-valid-key", base_url=args.base_url, max_retries=0)
    probe("wrong_key", bad.wallets)
    bad.close()

    # The SDK's create_order pacing, create_order_delay at its default (5 s, scaled: the API's
    # own limit, docs/api-notes.md §3). Two creates on a server someone else rents (answer: code 6,
    # nothing is created). The first goes right after another request, so the limiter stamps
    # last_create_order and only then sleeps min_interval for the general limit; the second
    # goes once min_interval has passed since. The limiter counts from its early stamp and
    # lets the second go less than create_order_delay after the first really left. A long
    # min_interval (2.5 s, scaled) makes the shortfall large enough to be unmistakable.
    create_sends: List[float] = []
    stamp: Dict[str, float] = {}
    client.client.event_hooks["request"] = [lambda req: create_sends.append(time.time()) if req.url.path.endswith("/create_order") else None]
    saved = (client.max_retries, client.rate_limiter.min_interval, client.rate_limiter.create_order_delay)
    try:
        client.max_retries = 0
        client.rate_limiter.create_order_delay = 5.0 * args.time_scale
        client.rate_limiter.min_interval = 2.5 * args.time_scale
        time.sleep(client.rate_limiter.create_order_delay)  # clear of the main flow's creates
        client.wallets()
        busy = dict(server_id=args.rented_server, image="cloreai/ubuntu22.04-cuda12", type="on-demand", currency=args.rented_currency)
        probe("create_on_rented_server", lambda: client.create_order(**busy))
        stamp["first"] = client.rate_limiter.last_create_order
        time.sleep(client.rate_limiter.min_interval + 0.02)
        probe("create_spacing", lambda: client.create_order(**busy))
    except Exception as e:
        probes["create_spacing"] = {"raised": True, "error": "setup failed: " + error_text(e)}
    finally:
        client.max_retries, client.rate_limiter.min_interval, client.rate_limiter.create_order_delay = saved
        client.client.event_hooks["request"] = []
    if "create_spacing" in probes and len(create_sends) >= 2:
        probes["create_spacing"].update({
            "sdk_create_order_delay_s": 5.0 * args.time_scale,
            "sdk_min_interval_s": 2.5 * args.time_scale,
            "gap_between_sends_s": round(create_sends[1] - create_sends[0], 3),
            "stamp_before_first_send_s": round(create_sends[0] - stamp["first"], 3) if "first" in stamp else None,
        })
    client.close()

    out["order_ids"] = order_ids
    out["methods"] = {name: rec.report() for name, rec in m.items()}
    out["probes"] = probes
    return out


if __name__ == "__main__":
    try:
        doc = main()
    except SystemExit:
        raise
    except BaseException as e:  # never die without a JSON document
        doc = {"fatal": error_text(e), "traceback": traceback.format_exc()[-4000:]}
    doc["elapsed_s"] = round(time.monotonic() - START, 3)
    json.dump(doc, sys.stdout, indent=1, sort_keys=False, default=repr)
    sys.stdout.write("\n")
    # Methods failing is the point of the report (exit 0); not getting to run them is not.
    sys.exit(1 if "fatal" in doc else 0)
