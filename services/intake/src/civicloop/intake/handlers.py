"""Intake's use cases: one function per command or event. The edges (HTTP, Open311, gRPC, the
bus) only translate to these and back."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import asyncpg
import orjson

from civicloop.intake import messages
from civicloop.intake.domain import similarity
from civicloop.intake.domain.model import Case, CaseState, Petition
from civicloop.intake.domain.rules import PetitionInput, validate_petition
from civicloop.intake.pii import PetitionerContact, PiiVault
from civicloop.intake.ratelimit import SubmissionLimiter
from civicloop.intake.store.repository import (
    FILING,
    SUBMISSION,
    CaseRepository,
    IntakeUnitOfWork,
    PetitionRepository,
    record_contact_read,
    submission_row,
)
from civicloop.platform import auth, telemetry
from civicloop.platform.auth import Principal
from civicloop.platform.batching import GroupCommit
from civicloop.platform.clock import Clock, system_clock
from civicloop.platform.commands import CommandRequest, earlier_answer
from civicloop.platform.db import Connection
from civicloop.platform.domain import Actor, CaseList, Urgency
from civicloop.platform.envelope import EventEnvelope
from civicloop.platform.errors import (
    DomainError,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    VersionConflict,
    Violations,
)
from civicloop.platform.event_types import type_of
from civicloop.platform.logs import current_case_id
from civicloop.platform.paging import PageRequest
from civicloop.platform.protobuf import parse_uuid
from civicloop.platform.text import plain_text
from civicloop.platform.unit_of_work import HistoryRow
from civicloop.reference.catalogue import categories, communities
from civicloop.v1 import events_pb2


@dataclass(frozen=True)
class Submission:
    petition: Petition
    case: Case
    created: bool


# Who may file, in the order of preference of the role a filing is recorded under.
FILERS = (auth.RESIDENT, auth.WORKER, auth.OFFICE, auth.ANY_SERVICE)
# Who may read what, the same over HTTP and gRPC: petitions and lists are for intake's staff;
# a single case (its state, no petitioner) also for other services, and for a department that
# leads or led it.
STAFF_READERS = (auth.WORKER, auth.OFFICE, auth.AUDITOR)
EVERY_CASE_READERS = (*STAFF_READERS, auth.ANY_SERVICE)
CASE_READERS = (*EVERY_CASE_READERS, auth.ANY_DEPARTMENT)
# What a call for petitioner contacts was told, as recorded.
CONTACT_READ_OUTCOMES: dict[type[DomainError], str] = {
    InvalidArgument: "invalid_case_id",
    NotFound: "unknown_case",
    FailedPrecondition: "not_awaiting_rating",
}


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
        # 统单's indexes of the window's petitions, by question, most recently used last.
        self._indexes: dict[tuple[str | None, int, float], similarity.DuplicateIndex] = {}
        self._proposing = asyncio.Lock()
        # Concurrent filings are written together: one round trip and one commit.
        # Keys are claimed in key order, the same in every replica (no deadlock between them).
        self._filings = GroupCommit(
            pool, SUBMISSION, lock_order=lambda row: f"{row[0] or ''}\0{row[1] or ''}"
        )

    def _uow(self, conn: Connection | None = None) -> IntakeUnitOfWork:
        """A unit of work of its own, or one joined to an event handler's transaction."""
        if conn is None:
            return IntakeUnitOfWork(messages.event_message, pool=self.pool)
        return IntakeUnitOfWork(messages.event_message, conn=conn)

    def _command(
        self, principal: Principal, request_id: str, command: str, *body: object
    ) -> CommandRequest | None:
        return CommandRequest.of(principal.subject, request_id, command, orjson.dumps(body))

    # ---- submission ----

    async def submit_petition(
        self,
        data: PetitionInput,
        actor: Actor,
        *,
        request_id: str | None = None,
        request_id_field: str = "request_id",
        client_address: str | None = None,
    ) -> Submission:
        """File a petition. A keyed filing (``request_id``: gRPC's field, HTTP's
        Idempotency-Key, Open311's device and request key) is the caller's: a repeat gets the
        first petition back."""
        valid = validate_petition(data)
        # Keyed by the petitioner's own words and phone: the digest is keyed too.
        request = CommandRequest.of(
            actor.subject,
            request_id,
            FILING,
            orjson.dumps(data.__dict__, option=orjson.OPT_SORT_KEYS),
            field=request_id_field,
            fingerprint=self.vault.fingerprint,
        )
        if request:
            earlier = await self._earlier_submission(request, actor)
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
                submission_row(case, petition, sealed, phone_hash, request, messages.event_message)
            )
        if request:
            # A concurrent twin with the same key may have committed first: its answer wins.
            earlier = await self._earlier_submission(request, actor)
            if earlier and earlier.petition.id != petition.id:
                return earlier
        return Submission(petition, case, created=True)

    async def _earlier_submission(self, request: CommandRequest, actor: Actor) -> Submission | None:
        async with self.pool.acquire() as conn:
            earlier = await earlier_answer(conn, request)
            if earlier is None:
                return None
            petition_id = earlier.replay_to({actor.role}).decode()
            petition = await PetitionRepository(conn).get(petition_id)
            case = await CaseRepository(conn).get(petition.case_id)
            return Submission(petition, case, created=False)

    # ---- 现场办结 ----

    async def resolve_on_site(
        self,
        case_id: str,
        note: str,
        principal: Principal,
        expected_version: int,
        request_id: str = "",
    ) -> Case:
        errors = Violations()
        public_note = plain_text(errors, "note", note, 2000)
        errors.raise_if_any()
        request = self._command(
            principal, request_id, "ResolveOnSite", case_id, note, expected_version
        )
        async with self._uow() as uow:
            earlier = await uow.commands.claim(request)
            if earlier:
                (case_id,) = _case_ids(earlier.replay_to(principal.roles))
                return await uow.cases.get(case_id)
            case = await uow.cases.get(case_id, lock=True)
            case.check_version(expected_version)
            with telemetry.case_step("case resolved on site", case.id, case.traceparent):
                case.resolve_on_site(public_note, principal.actor, self.clock())
                await uow.petitions.mark_resolved_on_site(case.id)
                uow.track(case)
                await uow.commit(answer=_answer(case), authority=principal.role)
        return case

    # ---- 统单 consolidation ----

    async def consolidate(
        self,
        petition_ids: list[str],
        case_list: CaseList,
        urgency: Urgency,
        category_code: str,
        summary: str,
        principal: Principal,
        review_before_opening: bool = False,
        request_id: str = "",
    ) -> Case:
        errors = Violations()
        if not 1 <= len(petition_ids) <= 50:
            errors.add("petition_ids", "give 1 to 50 petitions")
        if len(set(petition_ids)) != len(petition_ids):
            errors.add("petition_ids", "lists a petition twice")
        if category_code and category_code not in categories():
            errors.add("category_code", f"unknown category {category_code!r}")
        # Departments and the public read it.
        public_summary = plain_text(errors, "summary", summary, 1000)
        errors.raise_if_any()
        request = self._command(
            principal,
            request_id,
            "ConsolidateCase",
            petition_ids,
            case_list,
            urgency,
            category_code,
            summary,
            review_before_opening,
        )

        now = self.clock()
        async with self._uow() as uow:
            earlier = await uow.commands.claim(request)
            if earlier:
                (case_id,) = _case_ids(earlier.replay_to(principal.roles))
                return await uow.cases.get(case_id)
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
            with telemetry.case_step("case consolidated", keep.id, keep.traceparent):
                if keep.state is CaseState.OPEN and not others:
                    raise FailedPrecondition(f"case {keep.id} is already open")
                moved = [pid for o in others for pid in o.petition_ids]
                keep.absorb(others, principal.actor, now)
                if moved:
                    uow.move_petitions(moved, keep.id)
                if keep.state is CaseState.SUBMITTED and not review_before_opening:
                    keep.open(
                        case_list,
                        urgency,
                        category_code,
                        public_summary,
                        principal.actor,
                        now,
                    )
                uow.track(keep, *others)
                await uow.commit(answer=_answer(keep), authority=principal.role)
        return keep

    async def split_petition(
        self, petition_id: str, reason: str, principal: Principal, request_id: str = ""
    ) -> tuple[Case, Case]:
        errors = Violations()
        public_reason = plain_text(errors, "reason", reason, 500)
        errors.raise_if_any()
        request = self._command(principal, request_id, "SplitPetition", petition_id, reason)
        async with self._uow() as uow:
            earlier = await uow.commands.claim(request)
            if earlier:
                from_id, new_id = _case_ids(earlier.replay_to(principal.roles))
                return await uow.cases.get(from_id), await uow.cases.get(new_id)
            petition = await uow.petitions.get(petition_id)
            case = await uow.cases.get(petition.case_id, lock=True)
            with telemetry.case_step("petition split", case.id, case.traceparent):
                new_case = case.split_out(petition, public_reason, principal.actor, self.clock())
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
                await uow.commit(answer=_answer(case, new_case), authority=principal.role)
        return case, new_case

    async def propose_clusters(
        self,
        community: str | None,
        window_hours: int,
        threshold: float,
        max_distance_m: float,
        max_clusters: int = 200,
    ) -> tuple[list[similarity.Proposal], int]:
        """The best ranked clusters of submitted petitions that report one problem, with
        their reasons, and how many were found."""
        errors = Violations()
        if community and community not in communities():
            errors.add("community_code", f"unknown community {community!r}")
        if not 1 <= window_hours <= 720:
            errors.add("window_hours", "must be 1..720")
        if not 0 < threshold <= 1:
            errors.add("min_similarity", "must be in (0, 1]")
        if not 0 < max_distance_m <= 50_000:
            errors.add("max_distance_meters", "must be in (0, 50000]")
        if not 1 <= max_clusters <= 1000:
            errors.add("max_clusters", "must be 1..1000")
        errors.raise_if_any()
        since = self.clock() - timedelta(hours=window_hours)
        # One index per kind of question, kept between calls (see DuplicateIndex); one
        # caller at a time brings it up to date.
        key = (community, window_hours, max_distance_m)
        async with self._proposing:
            index = self._indexes.pop(key, None) or similarity.DuplicateIndex(max_distance_m)
            self._indexes[key] = index
            while len(self._indexes) > 8:
                self._indexes.pop(next(iter(self._indexes)))
            async with self.pool.acquire() as conn:
                repo = PetitionRepository(conn)
                present = await repo.duplicate_window(community=community, since=since)
                missing = index.missing(present)
                new = await repo.duplicate_candidates(missing) if missing else []
            # Up to a tenth of a second of scoring and clustering: off the event loop, so
            # filings and reads go on meanwhile.
            return await asyncio.to_thread(
                index.sync_and_propose, present, new, threshold, max_clusters
            )

    # ---- reads ----

    async def get_petition(self, petition_id: str) -> Petition:
        async with self.pool.acquire() as conn:
            return await PetitionRepository(conn).get(petition_id)

    async def get_case(self, case_id: str, viewer: Principal) -> Case:
        """A case, for staff and services; for a department, only one it leads or led."""
        async with self.pool.acquire() as conn:
            cases = CaseRepository(conn)
            case = await cases.get(case_id)
            if not viewer.has_any(EVERY_CASE_READERS) and not viewer.sees_work_of(
                await cases.leads(case.id), EVERY_CASE_READERS
            ):
                raise PermissionDenied(f"case {case.id} was never your department's")
        return case

    async def list_petitions(self, page: PageRequest, **filters: Any) -> tuple[list[Petition], str]:
        """Petitions newest first, by the filters of ``PetitionRepository.search``."""
        async with self.pool.acquire() as conn:
            return await PetitionRepository(conn).search(page=page, **filters)

    async def cases_by_id(self, case_ids: list[str]) -> dict[str, Case]:
        async with self.pool.acquire() as conn:
            return await CaseRepository(conn).many(case_ids)

    async def list_cases(
        self,
        page: PageRequest,
        *,
        state: str | None,
        community: str | None,
        category: str | None,
    ) -> tuple[list[Case], str]:
        async with self.pool.acquire() as conn:
            return await CaseRepository(conn).search(
                state=state, community=community, category=category, page=page
            )

    async def petitioner_contacts(
        self, case_id: str, reader: Principal
    ) -> list[tuple[str, PetitionerContact]]:
        """The contacts of a case's petitioners, for rating to ask them for a rating: only
        while the case awaits one (intake follows it through dispatch's and rating's events).
        Every call is recorded, answered or refused, without the contacts."""
        sealed: list[tuple[str, bytes]] = []
        refusal: DomainError | None = None
        outcome, recorded_id = "answered", None
        async with self.pool.acquire() as conn, conn.transaction():
            try:
                recorded_id = parse_uuid(case_id, "case_id")
                case = await CaseRepository(conn).get(recorded_id)
                case.require_awaiting_rating()
                sealed = await PetitionRepository(conn).sealed_contacts(case.id)
            except (InvalidArgument, NotFound, FailedPrecondition) as error:
                refusal = error
                outcome = next(o for t, o in CONTACT_READ_OUTCOMES.items() if isinstance(error, t))
            await record_contact_read(
                conn, recorded_id, reader.actor, self.clock(), outcome, len(sealed)
            )
        if refusal is not None:
            raise refusal
        return [(pid, self.vault.open(blob, pid)) for pid, blob in sealed]

    # ---- projection of the later steps, owned by other services ----

    async def on_case_progress(self, conn: Connection, envelope: EventEnvelope) -> None:
        """Keep intake's view of a case current, so Open311 clients and residents following
        their petition see where it is."""
        message: Any = envelope.payload()
        new_state = REPORTED_STATES[envelope.type]
        version = int(getattr(message, "case_version", 0))
        department = getattr(message, "department_code", "")
        async with self._uow(conn) as uow:
            case = await uow.cases.get(message.case_id, lock=True)
            if department:  # it leads the case, or led the round reported (even if stale)
                await uow.cases.add_lead(case.id, department)
            with telemetry.case_step(
                f"case {new_state}", case.id, case.traceparent, department=department
            ):
                if not case.apply_reported_state(new_state, version, department or None):
                    return  # stale or repeated: the owner's later report is already here
                case.updated_at = self.clock()
                uow.track(case)
                uow.add_history(
                    HistoryRow(
                        case.aggregate_type,
                        case.id,
                        case.version,
                        case.state.value,
                        envelope.type,
                        envelope.id,
                        auth.service(envelope.source),
                        auth.service(envelope.source),
                        envelope.time,
                    )
                )
                await uow.commit()


def _answer(*cases: Case) -> bytes:
    """What a command keeps for its repeats: the ids of the cases it answered with (a repeat
    gets them as they now stand)."""
    return " ".join(c.id for c in cases).encode()


def _case_ids(answer: bytes) -> Sequence[str]:
    return answer.decode().split()


# What each later lifecycle event means for intake's view of the case.
REPORTED_STATES: dict[str, CaseState] = {
    type_of(events_pb2.CaseDispatched): CaseState.DISPATCHED,
    type_of(events_pb2.CaseReturned): CaseState.OPEN,
    type_of(events_pb2.CaseAccepted): CaseState.IN_PROGRESS,
    type_of(events_pb2.CaseCompleted): CaseState.COMPLETED,
    type_of(events_pb2.CaseReopened): CaseState.DISPATCHED,
    type_of(events_pb2.CaseRated): CaseState.RATED,
    type_of(events_pb2.CaseClosed): CaseState.CLOSED,
}
