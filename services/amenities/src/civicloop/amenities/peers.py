"""What amenities asks intake over gRPC, with its own service identity: file a confirmed
problem as a petition (category shared_amenity)."""

from __future__ import annotations

from dataclasses import dataclass

from civicloop.amenities.domain.reports import PETITION_CATEGORY
from civicloop.v1 import common_pb2, intake_pb2, intake_pb2_grpc

# Intake answers from its own database; a failed filing is tried again by the filer's loop.
TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class Petition:
    """What the petition says; the petitioner of record is the confirming worker."""

    request_id: str
    community_code: str
    description: str
    latitude: float
    longitude: float
    petitioner_name: str
    petitioner_phone: str


class IntakePetitions:
    def __init__(self, stub: intake_pb2_grpc.IntakeServiceAsyncStub) -> None:
        self.stub = stub

    async def file(self, petition: Petition) -> tuple[str, str]:
        """(petition id, case id). The problem's id is the request id: filing again after a
        lost answer gets the first petition back."""
        answer = await self.stub.SubmitPetition(
            intake_pb2.SubmitPetitionRequest(
                request_id=petition.request_id,
                channel=common_pb2.CHANNEL_GRID_WORKER,
                community_code=petition.community_code,
                category_code=PETITION_CATEGORY,
                location=common_pb2.GeoPoint(
                    latitude=petition.latitude,
                    longitude=petition.longitude,
                    coordinate_system=common_pb2.COORDINATE_SYSTEM_WGS84,
                ),
                description=petition.description,
                petitioner_name=petition.petitioner_name,
                petitioner_phone=petition.petitioner_phone,
            ),
            timeout=TIMEOUT_SECONDS,
        )
        return answer.petition.petition_id, answer.case.case_id
