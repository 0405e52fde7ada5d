from __future__ import annotations

from pathlib import Path

from pydantic import Field

from civicloop.platform.settings import ServiceSettings


class DispatchSettings(ServiceSettings):
    service_name: str = "dispatch"
    database_url: str = "postgresql://postgres@127.0.0.1:5432/dispatch"
    http_port: int = 8002
    grpc_port: int = 50052
    # After this many returns of one case the office decides (12345 practice: no endless
    # back and forth between departments).
    dispatch_return_limit: int = Field(default=2, ge=1, le=10)
    # Reopens by unsatisfied petitioners before the office decides.
    dispatch_reopen_limit: int = Field(default=2, ge=0, le=10)
    dispatch_extension_limit: int = Field(default=2, ge=0, le=10)
    # Deadlines per urgency, e.g. {"accept": {"emergency": "30m", ...}, "complete": {...}};
    # empty keeps the defaults (emergency 2 h, utilities 24 h, general 7 working days,
    # complex 15 working days to complete).
    dispatch_deadlines: str = ""
    # The working-day calendar (holidays and makeup workdays); empty: the packaged one.
    dispatch_calendar_file: Path | None = None
    # How often overdue cases are looked for (督办 scan), seconds.
    dispatch_escalation_scan_seconds: float = Field(default=60.0, gt=0)
