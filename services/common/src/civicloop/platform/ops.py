"""``civicloop-ops``: the operator's command line.

    civicloop-ops token --role office --service intake [--subject alice] [--ttl 3600]
                        [--community C001]
                                                   a development token for that service
    civicloop-ops parking list --service intake                        what was parked, and why
    civicloop-ops parking replay --service intake [--id EVENT_ID]      send parked events again
    civicloop-ops unrouted list                                        events nobody is bound to
    civicloop-ops trace CASE_ID [--run-dir var]                        a case's spans, in order

Broker and namespace come from AMQP_URL and CIVICLOOP_NAMESPACE, as for the services.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path
from typing import Any

import aio_pika

from civicloop.platform.auth import MAX_LIFETIME_SECONDS, audience_of, mint_dev_token
from civicloop.platform.bus import PARKED_AT_DELIVERY, PARKED_REASON, Topology, resent
from civicloop.platform.telemetry import case_trace


def _amqp_url() -> str:
    return os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")


def _topology() -> Topology:
    return Topology(os.environ.get("CIVICLOOP_NAMESPACE", ""))


def _describe(message: aio_pika.abc.AbstractIncomingMessage) -> str:
    headers: dict[str, Any] = dict(message.headers or {})
    deaths = headers.get("x-death") or []
    reason = headers.get(PARKED_REASON) or (deaths[0].get("reason") if deaths else "-")
    count = deaths[0].get("count") if deaths else headers.get(PARKED_AT_DELIVERY, "-")
    return (
        f"{headers.get('ce-id', message.message_id or '?')}  {headers.get('ce-type', '?')}"
        f"  subject={headers.get('ce-subject', '-')}  reason={reason}  deaths={count}"
    )


async def _list(queue_name: str, limit: int) -> int:
    """Print up to ``limit`` messages without consuming them (they are requeued)."""
    connection = await aio_pika.connect(_amqp_url())
    async with connection:
        channel = await connection.channel()
        queue = await channel.get_queue(queue_name)
        shown = 0
        while shown < limit and (message := await queue.get(no_ack=False, fail=False)):
            print(_describe(message))
            shown += 1
        await channel.close()  # unacknowledged messages go back, in order
    print(f"{shown} message(s) shown from {queue_name}")
    return 0


async def _replay(service: str, event_id: str | None, limit: int) -> int:
    """Republish parked events to the events exchange under their own type."""
    topology = _topology()
    connection = await aio_pika.connect(_amqp_url())
    replayed = 0
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        queue = await channel.get_queue(topology.parking_queue(service))
        exchange = await channel.get_exchange(topology.events_exchange)
        while replayed < limit and (message := await queue.get(no_ack=False, fail=False)):
            headers = dict(message.headers or {})
            if event_id and headers.get("ce-id") != event_id:
                continue  # left unacknowledged: back to the queue when we close
            event_type = headers.get("ce-type")
            if not isinstance(event_type, str):
                print(f"skipped {message.message_id!r}: no ce-type header, cannot route it")
                continue
            for key in (
                "x-death",
                "x-first-death-exchange",
                "x-first-death-queue",
                "x-first-death-reason",
                "x-last-death-exchange",
                "x-last-death-queue",
                "x-last-death-reason",
                "x-delivery-count",
                PARKED_REASON,
                PARKED_AT_DELIVERY,
            ):
                headers.pop(key, None)
            await exchange.publish(resent(message, headers), routing_key=event_type, mandatory=True)
            await message.ack()
            replayed += 1
            print(f"replayed {headers.get('ce-id')!s} {event_type}")
    print(f"{replayed} event(s) replayed from {topology.parking_queue(service)}")
    return 0


def _trace(case_id: str, run_dir: Path) -> int:
    related = case_trace(run_dir, case_id)
    for s in related:
        print(f"{s['trace_id'][:8]}  {s['service']:<12} {s['kind']:<9} {s['name']}")
    traces = len({s["trace_id"] for s in related})
    print(f"{len(related)} span(s) in {traces} trace(s) for case {case_id}")
    return 0 if related else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="civicloop-ops",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    token = commands.add_parser("token", help="mint a development token")
    token.add_argument("--role", action="append", required=True)
    token.add_argument(
        "--service",
        action="append",
        required=True,
        help="the service the token is for (its audience); repeat for several",
    )
    token.add_argument("--subject", default="dev")
    token.add_argument("--community", default="", help="the community a worker serves (e.g. C001)")
    token.add_argument("--ttl", type=int, default=MAX_LIFETIME_SECONDS)
    parking = commands.add_parser("parking", help="inspect or replay parked events")
    parking.add_argument("action", choices=["list", "replay"])
    parking.add_argument("--service", required=True)
    parking.add_argument("--id", dest="event_id")
    parking.add_argument("--limit", type=int, default=100)
    unrouted = commands.add_parser("unrouted", help="events no service is bound to")
    unrouted.add_argument("action", choices=["list"])
    unrouted.add_argument("--limit", type=int, default=100)
    trace = commands.add_parser("trace", help="a case's spans from the local span files")
    trace.add_argument("case_id")
    trace.add_argument(
        "--run-dir", type=Path, default=Path(os.environ.get("CIVICLOOP_RUN_DIR", "var"))
    )
    args = parser.parse_args(argv)

    if args.command == "token":
        audiences = [audience_of(name) for name in args.service]
        minted = mint_dev_token(
            args.subject,
            args.role,
            audience=audiences,
            ttl_seconds=args.ttl,
            community=args.community,
        )
        print(minted)
        return 0
    if args.command == "parking" and args.action == "list":
        return asyncio.run(_list(_topology().parking_queue(args.service), args.limit))
    if args.command == "parking":
        return asyncio.run(_replay(args.service, args.event_id, args.limit))
    if args.command == "unrouted":
        return asyncio.run(_list(_topology().unrouted_queue, args.limit))
    return _trace(args.case_id, args.run_dir)


if __name__ == "__main__":
    sys.exit(main())
