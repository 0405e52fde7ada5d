"""The duty catalogue in PostgreSQL: seeded from the versioned data files on first start,
edited by the office afterwards, every edit audited (who, when, why, before and after)."""

from __future__ import annotations

import json
import time
import uuid
from datetime import datetime
from importlib import resources
from typing import Any

import asyncpg
import orjson

from civicloop.dispatch.domain.catalogue import Department, DutyCatalogue, DutyRule
from civicloop.platform.errors import NotFound, VersionConflict
from civicloop.platform.paging import PageRequest

DATA = "civicloop.dispatch.data"


def data_file(name: str) -> Any:
    return json.loads(resources.files(DATA).joinpath(name).read_text("utf-8"))


async def seed_if_empty(conn: Any) -> None:
    """First start: load departments and rules from the repository's data files."""
    if await conn.fetchval("SELECT count(*) FROM catalogue_meta"):
        return
    catalogue = DutyCatalogue.from_mappings(
        data_file("departments.json"), data_file("duty_catalogue.json")
    )
    await conn.executemany(
        "INSERT INTO departments (code, name, name_en, kind, active) VALUES ($1, $2, $3, $4, $5)"
        " ON CONFLICT (code) DO NOTHING",
        [(d.code, d.name, d.name_en, d.kind, d.active) for d in catalogue.departments.values()],
    )
    await conn.execute(
        "INSERT INTO catalogue_meta (id, version, fallback_department_code) VALUES (1, $1, $2)"
        " ON CONFLICT (id) DO NOTHING",
        catalogue.version,
        catalogue.fallback_department_code,
    )
    await conn.executemany(
        """INSERT INTO duty_rules (category_code, community_code, lead_department_code,
               assisting_department_codes, fallback_department_code,
               candidate_department_codes) VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT DO NOTHING""",
        [
            (
                r.category_code,
                r.community_code,
                r.lead_department_code,
                list(r.assisting_department_codes),
                r.fallback_department_code,
                list(r.candidate_department_codes),
            )
            for r in catalogue.rules.values()
        ],
    )


def _rule(row: Any) -> DutyRule:
    return DutyRule(
        category_code=row["category_code"],
        community_code=row["community_code"],
        lead_department_code=row["lead_department_code"],
        assisting_department_codes=tuple(row["assisting_department_codes"]),
        fallback_department_code=row["fallback_department_code"],
        candidate_department_codes=tuple(row["candidate_department_codes"]),
        version=row["version"],
    )


async def load(conn: Any) -> DutyCatalogue:
    meta = await conn.fetchrow("SELECT version, fallback_department_code FROM catalogue_meta")
    departments = {
        r["code"]: Department(r["code"], r["name"], r["name_en"], r["kind"], r["active"])
        for r in await conn.fetch("SELECT * FROM departments ORDER BY code")
    }
    rules = {
        (r["category_code"], r["community_code"]): _rule(r)
        for r in await conn.fetch("SELECT * FROM duty_rules")
    }
    return DutyCatalogue(meta["version"], meta["fallback_department_code"], departments, rules)


async def current_version(conn: Any) -> int:
    return int(await conn.fetchval("SELECT version FROM catalogue_meta"))


async def rule_audit(conn: Any, rule_row: Any) -> dict[str, Any] | None:
    return (
        None
        if rule_row is None
        else {
            k: (
                list(v)
                if isinstance(v, list | tuple)
                else v.isoformat()
                if isinstance(v, datetime)
                else v
            )
            for k, v in dict(rule_row).items()
        }
    )


async def write_rule(
    conn: Any,
    rule: DutyRule | None,
    key: tuple[str, str],
    expected_version: int,
    reason: str,
    actor_subject: str,
    actor_role: str,
    at: datetime,
) -> tuple[DutyRule | None, dict[str, Any]]:
    """Create, replace (rule given) or remove (rule None) the rule at ``key``, audited."""
    # Edits are serialised on the catalogue's one meta row: a rule that does not exist yet
    # has no row to lock, and two offices creating it at once must not both succeed.
    await conn.execute("SELECT version FROM catalogue_meta WHERE id = 1 FOR UPDATE")
    before = await conn.fetchrow(
        "SELECT * FROM duty_rules WHERE category_code = $1 AND community_code = $2 FOR UPDATE", *key
    )
    # Unlike an aggregate's, a rule's version 0 is meaningful: the office saw no rule there
    # and creates it (two offices creating one at once: the second is ABORTED).
    current = before["version"] if before else 0
    if expected_version != current:
        raise VersionConflict(f"rule {key} is at version {current}, not {expected_version}")
    if rule is None and before is None:
        raise NotFound(f"no rule for category {key[0]!r} in community {key[1] or '*'!r}")
    after = None
    if rule is None:
        await conn.execute(
            "DELETE FROM duty_rules WHERE category_code = $1 AND community_code = $2", *key
        )
    else:
        after = await conn.fetchrow(
            """INSERT INTO duty_rules (category_code, community_code, lead_department_code,
                   assisting_department_codes, fallback_department_code,
                   candidate_department_codes, version, updated_at, updated_by)
               VALUES ($1, $2, $3, $4, $5, '{}', $6, $7, $8)
               ON CONFLICT (category_code, community_code) DO UPDATE SET
                   lead_department_code = $3, assisting_department_codes = $4,
                   fallback_department_code = $5, candidate_department_codes = '{}',
                   version = $6, updated_at = $7, updated_by = $8
               RETURNING *""",
            key[0],
            key[1],
            rule.lead_department_code,
            list(rule.assisting_department_codes),
            rule.fallback_department_code,
            current + 1,
            at,
            actor_subject,
        )
    version = await conn.fetchval(
        "UPDATE catalogue_meta SET version = version + 1 RETURNING version"
    )
    change = {
        "change_id": str(uuid.uuid4()),
        "catalogue_version": version,
        "category_code": key[0],
        "community_code": key[1],
        "before": await rule_audit(conn, before),
        "after": await rule_audit(conn, after),
        "reason": reason,
        "changed_at": at,
        "changed_by": actor_subject,
        "changed_role": actor_role,
    }
    await conn.execute(
        """INSERT INTO duty_rule_changes (change_id, catalogue_version, category_code,
               community_code, before, after, reason, changed_at, changed_by, changed_role)
           VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7, $8, $9, $10)""",
        change["change_id"],
        version,
        key[0],
        key[1],
        orjson.dumps(change["before"]).decode() if change["before"] else None,
        orjson.dumps(change["after"]).decode() if change["after"] else None,
        reason,
        at,
        actor_subject,
        actor_role,
    )
    return (_rule(after) if after else None), change


async def changes(
    conn: Any,
    category: str | None,
    community: str | None,
    since: datetime | None,
    page: PageRequest,
) -> list[dict[str, Any]]:
    """One page of the catalogue's audit trail, newest first."""
    changed_at, catalogue_version = page.after or (None, None)
    rows = await conn.fetch(
        """SELECT * FROM duty_rule_changes
        WHERE ($1::text IS NULL OR category_code = $1)
          AND ($2::text IS NULL OR community_code = $2)
          AND ($3::timestamptz IS NULL OR changed_at >= $3)
          AND ($4::timestamptz IS NULL OR (changed_at, catalogue_version) < ($4, $5::bigint))
        ORDER BY changed_at DESC, catalogue_version DESC LIMIT $6""",
        category,
        community,
        since,
        changed_at,
        catalogue_version,
        page.limit,
    )
    return [dict(r) for r in rows]


class CatalogueCache:
    """The duty catalogue as routing reads it on every opened case: kept in memory and read
    afresh when its version moves (checked at most every ``ttl`` seconds, and at once after an
    edit of this replica's)."""

    def __init__(self, pool: asyncpg.Pool, ttl: float = 2.0) -> None:
        self.pool = pool
        self.ttl = ttl
        self._catalogue: DutyCatalogue | None = None
        self._checked_at = 0.0

    async def get(self, conn: Any | None = None) -> DutyCatalogue:
        """The catalogue, read through ``conn`` (or a pooled connection) when stale."""
        now = time.monotonic()
        if self._catalogue is None or now - self._checked_at > self.ttl:
            # Marked checked before the reads: the events handled meanwhile use the cached
            # catalogue instead of each running the same version query.
            if self._catalogue is not None:
                self._checked_at = now
            if conn is None:
                async with self.pool.acquire() as own:
                    return await self._refresh(own, now)
            return await self._refresh(conn, now)
        return self._catalogue

    async def _refresh(self, conn: Any, now: float) -> DutyCatalogue:
        version = await current_version(conn)
        if self._catalogue is None or self._catalogue.version != version:
            self._catalogue = await load(conn)
        self._checked_at = now
        return self._catalogue

    def forget(self) -> None:
        """After an edit here: read the catalogue afresh at its next use."""
        self._catalogue = None
