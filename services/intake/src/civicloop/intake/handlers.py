"""Intake's use cases: one function per command or event. The edges (HTTP, Open311, gRPC, the
bus) only translate to these and back."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import asyncpg
import orjson

from civicloop.intake import messages
from civicloop.intake.domain import similarity
from civicloop.intake.domain.model import Case, CaseList, CaseState, Petition, Urgency
from civicloop.intake.domain.rules import PetitionInput, validate_petition
from civicloop.intake.pii import PetitionerContact, PiiVault
from civicloop.intake.ratelimit import SubmissionLimiter
from civicloop.intake.store.repository import (
    SUBMISSION,
    CaseRepository,
    PetitionRepository,
    UnitOfWork,
    submission_row,
    update_case,
)
from civicloop.platform import auth, telemetry
from civicloop.platform.batching import GroupCommit
from civicloop.platform.clock import Clock, system_clock
from civicloop.platform.db import Connection
from civicloop.platform.domain import Actor
from civicloop.platform.envelope import EventEnvelope
from civicloop.platform.errors import (
    FailedPrecondition,
    InvalidArgument,
    VersionConflict,
    Violations,
)
from civicloop.platform.logs import current_case_id
from civicloop.platform.redaction import redact
from civicloop.platform.unit_of_work import HistoryRow, record
from civicloop.reference.catalogue import categories, communities


@dataclass(frozen=True)
class Submission:
    petition: Petition
    case: Case
    created: bool


@dataclass(frozen=True)
class Cluster:
    petition_ids: list[str]
    case_ids: list[str]
    category_code: str
    min_similarity: float


# Who may read what, the same over HTTP and gRPC: petitions and lists are for intake's staff;
# a single case (its state, no petitioner) also for departments and other services.
STAFF_READERS = (auth.WORKER, auth.OFFICE, auth.AUDITOR)
CASE_READERS = (*STAFF_READERS, auth.ANY_DEPARTMENT, auth.ANY_SERVICE)


class Intake:
    def __init__(
        self,
        pool: asyncpg.Pool,
        vault: PiiVault,
        limiter: SubmissionLimiter,
        clock: Clock = system_clock,
    ) -> None:
        self.pool = pool
        self.vault = vault
        self.limiter = limiter
        self.clock = clock
        # Concurrent filings are written together: one round trip and one commit.
        # Keys are claimed in key order, the same in every replica (no deadlock between them).
        self._filings = GroupCommit(pool, SUBMISSION, lock_order=lambda row: row[0] or "")

    def _uow(self) -> UnitOfWork:
        return UnitOfWork(self.pool, messages.event_message)

    # ---- submission ----

    async def submit_petition(
        self,
        data: PetitionInput,
        actor: Actor,
        *,
        idempotency_key: str | None = None,
        client_address: str | None = None,
    ) -> Submission:
        valid = validate_petition(data)
        if idempotency_key is not None and not 1 <= len(idempotency_key) <= 128:
            raise InvalidArgument.of("Idempotency-Key", "must be 1..128 characters")
        # Only a keyed filing needs its fingerprint (a repeat must be the same request).
        request_hash = (
            self.vault.fingerprint(orjson.dumps(data.__dict__, option=orjson.OPT_SORT_KEYS))
            if idempotency_key
            else b""
        )
        if idempotency_key:
            earlier = await self._earlier_submission(idempotency_key, request_hash)
            if earlier:
                return earlier
        phone_hash = self.vault.phone_hash(valid.petitioner_phone)
        await self.limiter.check(phone_hash, client_address)

        now = self.clock()
        petition = Petition(
            id=str(uuid.uuid4()),
            case_id=str(uuid.uuid4()),
            channel=valid.channel,
            community_code=valid.community_code,
            category_code=valid.category_code,
            location=valid.location,
            description=valid.public_description,
            submitted_at=now,
            submitted_by=actor,
        )
        sealed = self.vault.seal(
            PetitionerContact(valid.petitioner_name, valid.petitioner_phone, valid.description),
            petition.id,
        )
        current_case_id.set(petition.case_id)
        # A new case starts a trace of its own; the request that filed it is linked to it.
        with telemetry.case_span(
            "case submitted",
            None,
            attributes={
                telemetry.CASE_ID: petition.case_id,
                telemetry.PETITION_ID: petition.id,
                "civicloop.community": petition.community_code,
                "civicloop.category": petition.category_code,
            },
        ):
            case = Case.for_new_petition(petition, telemetry.current_traceparent())
            await self._filings.execute(
                submission_row(
                    case,
                    petition,
                    sealed,
                    phone_hash,
                    (idempotency_key, request_hash) if idempotency_key else None,
                    messages.event_message,
                )
            )
        if idempotency_key:
            holder = await self.pool.fetchval(
                "SELECT petition_id::text FROM submissions WHERE idempotency_key = $1",
                idempotency_key,
            )
            if holder != petition.id:  # a concurrent twin with the same key committed first
                earlier = await self._earlier_submission(idempotency_key, request_hash)
                assert earlier is not None
                return earlier
        return Submission(petition, case, created=True)

    async def _earlier_submission(self, key: str, request_hash: bytes) -> Submission | None:
        async with self.pool.acquire() as c:
            row = await c.fetchrow(
                "SELECT request_hash, petition_id::text FROM submissions"
                " WHERE idempotency_key = $1",
                key,
            )
            if row is None:
                return None
            if bytes(row["request_hash"]) != request_hash:
                raise InvalidArgument.of(
                    "Idempotency-Key", "was already used for a different petition"
                )
            petition = await PetitionRepository(c).get(row["petition_id"])
            case = await CaseRepository(c).get(petition.case_id)
            return Submission(petition, case, created=False)

    # ---- 现场办结 ----

    async def resolve_on_site(
        self, case_id: str, note: str, actor: Actor, expected_version: int | None = None
    ) -> Case:
        if not note.strip():
            raise InvalidArgument.of("note", "is required: say what was done on the spot")
        if len(note) > 2000:
            raise InvalidArgument.of("note", "at most 2,000 characters")

        async with self._uow() as uow:
            case = await uow.cases.get(case_id, lock=True)
            case.check_version(expected_version)
            with self._case_span("case resolved on site", case):
                case.resolve_on_site(redact(note.strip()), actor, self.clock())
                await uow.conn.execute(
                    "UPDATE petitions SET resolved_on_site = true WHERE case_id = $1::uuid", case.id
                )
                uow.track(case)
                await uow.commit()
        return case

    # ---- 统单 consolidation ----

    async def consolidate(
        self,
        petition_ids: list[str],
        case_list: CaseList,
        urgency: Urgency,
        category_code: str,
        summary: str,
        actor: Actor,
        review_before_opening: bool = False,
    ) -> Case:
        errors = Violations()
        if not 1 <= len(petition_ids) <= 50:
            errors.add("petition_ids", "give 1 to 50 petitions")
        if len(set(petition_ids)) != len(petition_ids):
            errors.add("petition_ids", "lists a petition twice")
        if category_code and category_code not in categories():
            errors.add("category_code", f"unknown category {category_code!r}")
        if not summary.strip():
            errors.add("summary", "is required: departments and the public read it")
        elif len(summary) > 1000:
            errors.add("summary", "at most 1,000 characters")
        errors.raise_if_any()

        now = self.clock()
        async with self._uow() as uow:
            petitions = [await uow.petitions.get(pid) for pid in petition_ids]
            # Lock cases in a fixed order so two clerks consolidating overlapping sets
            # cannot deadlock.
            case_ids = sorted({p.case_id for p in petitions})
            locked = {cid: await uow.cases.get(cid, lock=True) for cid in case_ids}
            # A clerk may have merged or split one of these petitions since we read it.
            for pid in petition_ids:
                if (await uow.petitions.get(pid)).case_id not in locked:
                    raise VersionConflict(f"petition {pid} moved to another case; try again")
            keep = locked[petitions[0].case_id]
            others = [locked[cid] for cid in case_ids if cid != keep.id]
            with self._case_span("case consolidated", keep):
                if keep.state is CaseState.OPEN and not others:
                    raise FailedPrecondition(f"case {keep.id} is already open")
                moved = [pid for o in others for pid in o.petition_ids]
                keep.absorb(others, actor, now)
                if moved:
                    uow.move_petitions(moved, keep.id)
                if keep.state is CaseState.SUBMITTED and not review_before_opening:
                    keep.open(
                        case_list, urgency, category_code, redact(summary.strip()), actor, now
                    )
                uow.track(keep, *others)
                await uow.commit()
        return keep

    async def split_petition(
        self, petition_id: str, reason: str, actor: Actor
    ) -> tuple[Case, Case]:
        if not reason.strip() or len(reason) > 500:
            raise InvalidArgument.of("reason", "is required, at most 500 characters")
        async with self._uow() as uow:
            petition = await uow.petitions.get(petition_id)
            case = await uow.cases.get(petition.case_id, lock=True)
            with self._case_span("petition split", case):
                new_case = case.split_out(petition, reason.strip(), actor, self.clock())
                # The split-off petition starts a case, and a trace, of its own again.
                with telemetry.case_span(
                    "case submitted",
                    None,
                    attributes={telemetry.CASE_ID: new_case.id, telemetry.PETITION_ID: petition.id},
                ):
                    new_case.traceparent = telemetry.current_traceparent()
                uow.track_new(new_case)
                uow.move_petitions([petition.id], new_case.id)
                uow.track(case)
                await uow.commit()
        return case, new_case

    async def propose_clusters(
        self, community: str | None, window_hours: int, min_similarity: float, max_distance_m: float
    ) -> list[Cluster]:
        errors = Violations()
        if community and community not in communities():
            errors.add("community_code", f"unknown community {community!r}")
        if not 1 <= window_hours <= 720:
            errors.add("window_hours", "must be 1..720")
        if not 0 < min_similarity <= 1:
            errors.add("min_similarity", "must be in (0, 1]")
        if not 0 < max_distance_m <= 50_000:
            errors.add("max_distance_meters", "must be in (0, 50000]")
        errors.raise_if_any()
        since = self.clock() - timedelta(hours=window_hours)
        async with self.pool.acquire() as conn:
            repo = PetitionRepository(conn)
            pairs = await repo.similar_pairs(
                community=community,
                since=since,
                min_similarity=min_similarity,
                max_distance_m=max_distance_m,
            )
            groups = similarity.clusters(pairs)
            found: list[Cluster] = []
            for members, weakest in groups:
                petitions, _ = await repo.search(
                    community=None,
                    category=None,
                    case_id=None,
                    page_size=len(members),
                    cursor=None,
                    ids=members,
                )
                found.append(
                    Cluster(
                        petition_ids=members,
                        case_ids=sorted({p.case_id for p in petitions}),
                        category_code=petitions[0].category_code if petitions else "",
                        min_similarity=round(weakest, 3),
                    )
                )
        return found

    # ---- reads ----

    async def get_petition(self, petition_id: str) -> Petition:
        async with self.pool.acquire() as conn:
            return await PetitionRepository(conn).get(petition_id)

    async def get_case(self, case_id: str) -> Case:
        async with self.pool.acquire() as conn:
            return await CaseRepository(conn).get(case_id)

    async def list_petitions(self, **filters: object) -> tuple[list[Petition], str]:
        async with self.pool.acquire() as conn:
            return await PetitionRepository(conn).search(**filters)  # type: ignore[arg-type]

    async def cases_by_id(self, case_ids: list[str]) -> dict[str, Case]:
        async with self.pool.acquire() as conn:
            return await CaseRepository(conn).many(case_ids)

    async def list_cases(self, **filters: object) -> tuple[list[Case], str]:
        async with self.pool.acquire() as conn:
            return await CaseRepository(conn).search(**filters)  # type: ignore[arg-type]

    async def petitioner_contacts(self, case_id: str) -> list[tuple[str, PetitionerContact]]:
        async with self.pool.acquire() as conn:
            await CaseRepository(conn).get(case_id)
            sealed = await PetitionRepository(conn).sealed_contacts(case_id)
        return [(pid, self.vault.open(blob, pid)) for pid, blob in sealed]

    def _case_span(self, name: str, case: Case):  # type: ignore[no-untyped-def]
        current_case_id.set(case.id)
        return telemetry.case_span(name, case.traceparent, attributes={telemetry.CASE_ID: case.id})

    # ---- projection of the later steps, owned by other services ----

    async def on_case_progress(self, conn: Connection, envelope: EventEnvelope) -> None:
        """Keep intake's view of a case current, so Open311 clients and residents following
        their petition see where it is."""
        message: Any = envelope.payload()
        new_state = REPORTED_STATES[envelope.type]
        case_id = message.case_id
        version = int(getattr(message, "case_version", 0))
        department = getattr(message, "department_code", "") or None
        case = await CaseRepository(conn).get(case_id, lock=True)
        with telemetry.case_span(
            f"case {new_state}",
            case.traceparent,
            attributes={telemetry.CASE_ID: case.id, telemetry.DEPARTMENT: department or ""},
        ):
            if not case.apply_reported_state(new_state, version, department):
                return  # stale or repeated: the owner's later report is already here
            case.updated_at = self.clock()
            await update_case(conn, case)
            await record(
                conn,
                [],
                [
                    HistoryRow(
                        case.id,
                        case.version,
                        case.state.value,
                        envelope.type,
                        envelope.id,
                        "",
                        envelope.time,
                    )
                ],
            )


# What each later lifecycle event means for intake's view of the case.
REPORTED_STATES: dict[str, CaseState] = {
    "civicloop.case.dispatched.v1": CaseState.DISPATCHED,
    "civicloop.case.returned.v1": CaseState.OPEN,
    "civicloop.case.accepted.v1": CaseState.IN_PROGRESS,
    "civicloop.case.completed.v1": CaseState.COMPLETED,
    "civicloop.case.reopened.v1": CaseState.DISPATCHED,
    "civicloop.case.rated.v1": CaseState.RATED,
    "civicloop.case.closed.v1": CaseState.CLOSED,
}
