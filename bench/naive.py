"""Naive baseline: the official Python SDK (clore-ai 0.1.1) driving the bench's work one
resource at a time, as a provider with no coalescing or batching would — one my_orders
poll per resource per check, one cancel_order per resource.

    .venv/bin/python bench/naive.py up      --base-url URL --api-key KEY --state F --servers 90001,90002
    .venv/bin/python bench/naive.py read    --base-url URL --api-key KEY --state F
    .venv/bin/python bench/naive.py destroy --base-url URL --api-key KEY --state F

Prints one JSON line: {"ops", "failed", "parse_failures", "wall_ms", "peak_rss_kb", ...}.
API calls and 429s are counted by the bench from the emulator's request log, not here.

Two SDK methods cannot read what the API sends (docs/api-notes.md §6.5, §6.10), so:
- create_order: the request is sent, then the SDK fails to build an Order from the answer
  (the API returns no order id). We count the parse failure and find the order in my_orders.
- my_orders: the SDK's Order model wants pub_cluster as a string and tcp_ports as a dict,
  while the API sends lists; we call the SDK's own request method (`_request`, same rate
  limiter and retries) and read the JSON.
"""

import argparse
import json
import resource
import sys
import time

from clore_ai import CloreAI
from clore_ai.client import RateLimiter
from pydantic import ValidationError

IMAGE = "cloreai/ubuntu22.04-cuda12"


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("op", choices=["up", "read", "destroy", "lifecycle"])
    p.add_argument("--base-url", required=True)
    p.add_argument("--api-key", required=True)
    p.add_argument("--state", required=True, help="JSON file with the order ids")
    p.add_argument("--servers", default="", help="comma-separated server ids (up, lifecycle)")
    p.add_argument("--min-interval", type=float, default=None, help="seconds between requests (SDK default 1.0)")
    p.add_argument("--create-interval", type=float, default=None, help="seconds between creates (SDK default 5.0)")
    p.add_argument("--no-wait", action="store_true", help="up: stop polling once the order is listed, not when it runs")
    a = p.parse_args()

    client = CloreAI(api_key=a.api_key, base_url=a.base_url)
    if a.min_interval is not None or a.create_interval is not None:
        # Only for the RSS row, where the emulator runs faster limits; the SDK's own knobs.
        client.rate_limiter = RateLimiter(
            requests_per_second=1.0 / (a.min_interval or 1.0),
            create_order_delay=a.create_interval if a.create_interval is not None else 5.0,
        )
    stats = {"ops": 0, "failed": 0, "parse_failures": 0}
    start = time.monotonic()
    servers = [int(s) for s in a.servers.split(",") if s]
    if a.op == "up":
        ids = load(a.state) + up(client, servers, stats, not a.no_wait)
        save(a.state, ids)
    elif a.op == "read":
        read(client, load(a.state), stats)
    elif a.op == "destroy":
        destroy(client, load(a.state), stats)
        save(a.state, [])
    else:
        ids = up(client, servers, stats, not a.no_wait)
        read(client, ids, stats)
        destroy(client, ids, stats)
    stats["wall_ms"] = round((time.monotonic() - start) * 1000)
    stats["peak_rss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps(stats))


def my_orders(client: CloreAI) -> list:
    return client._request("GET", "my_orders", params={"return_completed": "false"}).get("orders", [])


def up(client: CloreAI, servers: list, stats: dict, wait: bool = True) -> list:
    """Create each order, then poll my_orders until it is up (or just listed), before the next one."""
    ids = []
    for server in servers:
        stats["ops"] += 1
        try:
            client.create_order(server_id=server, image=IMAGE, type="on-demand", currency="USD-Blockchain", ports={"22": "tcp"})
        except ValidationError:
            stats["parse_failures"] += 1
        except Exception as e:  # noqa: BLE001 - a naive client just records the failure
            stats["failed"] += 1
            print(f"create on {server} failed: {e}", file=sys.stderr)
            continue
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                orders = my_orders(client)
            except Exception as e:  # noqa: BLE001
                stats["failed"] += 1
                print(f"my_orders failed: {e}", file=sys.stderr)
                continue
            mine = [o for o in orders if o.get("si") == server and not o.get("expired") and o["id"] not in ids]
            if mine and (not wait or (mine[-1].get("pub_cluster") and mine[-1].get("tcp_ports"))):
                ids.append(mine[-1]["id"])
                break
    return ids


def read(client: CloreAI, ids: list, stats: dict) -> None:
    """Refresh: one my_orders call per resource."""
    for order_id in ids:
        stats["ops"] += 1
        try:
            if not any(o["id"] == order_id for o in my_orders(client)):
                print(f"order {order_id} not found", file=sys.stderr)
        except Exception as e:  # noqa: BLE001
            stats["failed"] += 1
            print(f"my_orders failed: {e}", file=sys.stderr)


def destroy(client: CloreAI, ids: list, stats: dict) -> None:
    """Destroy: one cancel_order call per resource."""
    for order_id in ids:
        stats["ops"] += 1
        try:
            client.cancel_order(order_id)
        except Exception as e:  # noqa: BLE001
            stats["failed"] += 1
            print(f"cancel {order_id} failed: {e}", file=sys.stderr)


def load(path: str) -> list:
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        return []


def save(path: str, ids: list) -> None:
    with open(path, "w") as f:
        json.dump(ids, f)


if __name__ == "__main__":
    main()
