"""What publication asks rating over gRPC, with its own service identity: the city's three
rates for the statistics page. Kept a minute (PUBLICATION_RATES_KEEP_SECONDS); when rating
cannot be asked, the page says the rates are unavailable rather than showing a wrong figure."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import grpc

from civicloop.v1 import rating_pb2, rating_pb2_grpc

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 3.0


@dataclass(frozen=True)
class CityRates:
    """Over the months asked for; a rate is None when nothing was counted (n/a, not 0)."""

    rated: int
    satisfied: int
    satisfaction_rate: float | None
    completed: int
    on_time: int
    on_time_rate: float | None
    closed: int
    resolved: int
    resolution_rate: float | None


class RatingRates:
    def __init__(
        self, stub: rating_pb2_grpc.RatingServiceAsyncStub, keep_seconds: float = 60.0
    ) -> None:
        self.stub = stub
        self.keep_seconds = keep_seconds
        self._kept: dict[str, tuple[float, CityRates]] = {}

    async def city(self, month: str = "") -> CityRates | None:
        """City-wide for ``month`` ("YYYY-MM"), or the last twelve months when empty."""
        kept = self._kept.get(month)
        if kept and time.monotonic() - kept[0] < self.keep_seconds:
            return kept[1]
        try:
            answer = await self.stub.GetRates(
                rating_pb2.GetRatesRequest(from_month=month, to_month=month),
                timeout=TIMEOUT_SECONDS,
            )
        except grpc.aio.AioRpcError as error:
            log.warning("rates unavailable from rating: %s", error.code().name)
            return None
        row = answer.rows[0] if answer.rows else rating_pb2.RateRow()
        rates = CityRates(
            rated=row.rated_count,
            satisfied=row.satisfied_count,
            satisfaction_rate=row.satisfaction_rate if row.rated_count else None,
            completed=row.completed_count,
            on_time=row.on_time_count,
            on_time_rate=row.on_time_rate if row.completed_count else None,
            closed=row.closed_count,
            resolved=row.resolved_count,
            resolution_rate=row.resolution_rate if row.closed_count else None,
        )
        self._kept[month] = (time.monotonic(), rates)
        return rates
