"""What rating asks the other services over gRPC, with its own service identity: the
petitioners' phones (intake), never kept, and the departments' names (dispatch)."""

from __future__ import annotations

import logging
import time

import grpc

from civicloop.v1 import common_pb2, dispatch_pb2, dispatch_pb2_grpc, intake_pb2, intake_pb2_grpc

log = logging.getLogger(__name__)

# Both answer from their own database; a slow answer is retried at the next send or view.
TIMEOUT_SECONDS = 5.0


class IntakeContacts:
    def __init__(self, stub: intake_pb2_grpc.IntakeServiceAsyncStub) -> None:
        self.stub = stub

    async def phones(self, case_id: str) -> dict[str, str]:
        """Petition id -> phone, for every petition of the case."""
        answer = await self.stub.GetPetitionerContacts(
            intake_pb2.GetPetitionerContactsRequest(case_id=case_id), timeout=TIMEOUT_SECONDS
        )
        return {c.petition_id: c.phone for c in answer.contacts}


class DepartmentNames:
    """Department display names for the rating page, read from dispatch now and then; the
    page shows the code when dispatch cannot be asked."""

    REFRESH_SECONDS = 600.0

    def __init__(self, stub: dispatch_pb2_grpc.DispatchServiceAsyncStub) -> None:
        self.stub = stub
        self._names: dict[str, str] = {}
        self._read_at = -self.REFRESH_SECONDS

    async def name(self, code: str) -> str:
        if time.monotonic() - self._read_at > self.REFRESH_SECONDS:
            self._read_at = time.monotonic()  # one reader at a time, even when it fails
            try:
                answer = await self.stub.ListDepartments(
                    dispatch_pb2.ListDepartmentsRequest(
                        include_inactive=True, page=common_pb2.PageRequest(page_size=200)
                    ),
                    timeout=TIMEOUT_SECONDS,
                )
                self._names = {d.code: d.name for d in answer.departments}
            except grpc.aio.AioRpcError as error:
                log.warning("department names unavailable: %s", error.code().name)
        return self._names.get(code, code)
