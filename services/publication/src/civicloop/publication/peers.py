"""What publication asks rating over gRPC, with its own service identity: the city's three
rates for the statistics page. Kept a minute (PUBLICATION_RATES_KEEP_SECONDS); when rating
cannot be asked, the page says the rates are unavailable rather than showing a wrong figure."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import grpc

from civicloop.v1 import common_pb2, ledger_pb2, ledger_pb2_grpc, rating_pb2, rating_pb2_grpc

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


# A case's life is a few dozen events; more pages than this is not a case page's business.
EVIDENCE_PAGES = 4
EVIDENCE_TIMEOUT_SECONDS = 1.0


class LedgerEvidence:
    """Which ledger entry evidences each event of a case (event id -> leaf index), asked of
    the ledger (ListCaseEvidence) with publication's own identity. The case page shows them
    beside its steps; when the ledger cannot be asked, the steps show without them."""

    def __init__(self, stub: ledger_pb2_grpc.LedgerServiceAsyncStub) -> None:
        self.stub = stub

    async def of_case(self, case_id: str) -> dict[str, int]:
        entries: dict[str, int] = {}
        token = ""
        try:
            for _ in range(EVIDENCE_PAGES):
                answer = await self.stub.ListCaseEvidence(
                    ledger_pb2.ListCaseEvidenceRequest(
                        case_id=case_id,
                        page=common_pb2.PageRequest(page_size=100, page_token=token),
                    ),
                    timeout=EVIDENCE_TIMEOUT_SECONDS,
                )
                entries.update({e.leaf.event_id: e.leaf_index for e in answer.entries})
                token = answer.page.next_page_token
                if not token:
                    break
        except grpc.aio.AioRpcError as error:
            log.warning("evidence unavailable from the ledger: %s", error.code().name)
        return entries
