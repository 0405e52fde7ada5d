"""What rating asks intake over gRPC, with its own service identity: the petitioners' phones,
never kept. (The departments' names come from civicloop.platform.departments.)"""

from __future__ import annotations

from civicloop.v1 import intake_pb2, intake_pb2_grpc

# Intake answers from its own database; a slow answer is retried at the next send.
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
