"""The departments' display names, as dispatch (their owner) gives them over gRPC: every
service that shows a department to the public asks it the same way."""

from __future__ import annotations

import logging
import time

import grpc

from civicloop.v1 import common_pb2, dispatch_pb2, dispatch_pb2_grpc

log = logging.getLogger(__name__)

# Dispatch answers from its own database; a slow answer is retried at the next view.
TIMEOUT_SECONDS = 5.0


class DepartmentNames:
    """Department display names, read from dispatch (which owns the departments) now and
    then, with the caller's own service identity; a page shows the code when dispatch cannot
    be asked."""

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
