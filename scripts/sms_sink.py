"""The development SMS sink: stands in for the SMS gateway, as a local mail catcher does for mail.

    python scripts/sms_sink.py [--host 127.0.0.1] [--port 8025] [--secret whsec_...]

POST /messages          a signed message from rating (Standard Webhooks); a resend with the same
                        webhook-id is acknowledged and stored once
GET  /messages?to=      the messages received, oldest first (all of them without ``to``)
GET  /messages/latest?to=   the last message to that phone, or 404
DELETE /messages        forget every message
POST /faults            {"fail_next": 2, "status": 503}: refuse the next POSTs, to see retries
GET  /healthz, /readyz

Messages live in memory only. The secret defaults to RATING_SMS_SECRET, else rating's
development secret, so a local stack agrees with itself without configuration.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import uvicorn
from fastapi import FastAPI, Request, Response
from pydantic import BaseModel, Field

from civicloop.platform.clock import Clock, system_clock
from civicloop.platform.errors import NotFound
from civicloop.platform.http import Readiness, create_http_app, parse_json_body, problem
from civicloop.platform.webhooks import decode_secret, verify_signature
from civicloop.rating.sms import DEV_SMS_SECRET


class IncomingSms(BaseModel):
    to: str
    text: str


class Faults(BaseModel):
    fail_next: int = Field(ge=0)
    status: int = Field(default=503, ge=400, le=599)


@dataclass(frozen=True)
class ReceivedSms:
    id: str
    to: str
    text: str
    received_at: datetime


@dataclass
class SmsInbox:
    # Keyed by webhook id: a resend finds its first copy; insertion order is arrival order.
    messages: dict[str, ReceivedSms] = field(default_factory=dict)
    faults: Faults = field(default_factory=lambda: Faults(fail_next=0))

    def to(self, phone: str | None) -> list[ReceivedSms]:
        return [m for m in self.messages.values() if phone is None or m.to == phone]


def _shown(message: ReceivedSms) -> dict[str, Any]:
    return {**asdict(message), "received_at": message.received_at.isoformat()}


def create_app(secret: str, clock: Clock = system_clock) -> FastAPI:
    decode_secret(secret)  # a malformed secret stops the sink at start, not at the first POST
    inbox = SmsInbox()

    async def always_ready() -> Readiness:
        return Readiness({}, {})

    app = create_http_app("sms-sink", always_ready, title="Civicloop development SMS sink")

    @app.post("/messages", response_model=None)
    async def receive(request: Request) -> Response | dict[str, Any]:
        if inbox.faults.fail_next > 0:
            inbox.faults.fail_next -= 1
            return problem(inbox.faults.status, "Injected fault", "POST /faults asked for it")
        body = await request.body()
        message_id = verify_signature(secret, request.headers, body, clock())
        sms = await parse_json_body(request, IncomingSms)
        duplicate = message_id in inbox.messages
        if not duplicate:
            inbox.messages[message_id] = ReceivedSms(message_id, sms.to, sms.text, clock())
        return {"id": message_id, "duplicate": duplicate}

    @app.get("/messages")
    async def messages(to: str | None = None) -> list[dict[str, Any]]:
        return [_shown(m) for m in inbox.to(to)]

    @app.get("/messages/latest")
    async def latest(to: str) -> dict[str, Any]:
        received = inbox.to(to)
        if not received:
            raise NotFound("no message to that phone")
        return _shown(received[-1])

    @app.delete("/messages", status_code=204)
    async def clear() -> None:
        inbox.messages.clear()

    @app.post("/faults")
    async def set_faults(request: Request) -> dict[str, int]:
        inbox.faults = await parse_json_body(request, Faults)
        return inbox.faults.model_dump()

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description="The development SMS sink")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument(
        "--secret", default=os.environ.get("RATING_SMS_SECRET", DEV_SMS_SECRET), help="whsec_..."
    )
    args = parser.parse_args()
    # No access log: its lines would carry the phone numbers of GET /messages?to=.
    uvicorn.run(
        create_app(args.secret),
        host=args.host,
        port=args.port,
        log_level="warning",
        access_log=False,
    )


if __name__ == "__main__":
    main()
