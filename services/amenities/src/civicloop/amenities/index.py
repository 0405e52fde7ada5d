"""Where FindNearby's candidates come from: the Redis GEO index, rebuilt from PostgreSQL, and
PostgreSQL itself while the index is away.

Redis keeps nothing on disk here, so the index must be rebuildable and its loss noticed: a
``ready`` key is written after a full build, and every search asks for it in the same round
trip as its GEOSEARCH. Without it (Redis flushed or restarted) or without Redis, the search
is answered from PostgreSQL (a bounding box on an index, then the exact distance) and one
rebuild starts; searches go back to Redis once it has finished.

A member is ``<amenity id>:<version>``. A search thus knows whether the listing it holds in
memory is current: a newer version is loaded from PostgreSQL, an older member (left by a
rebuild racing a change) is ignored. Active amenities only; one key per access (public,
customers) for every kind, and one per access and kind.

The listings of every active amenity (what search decides on) are kept in memory, loaded at
start; a change made by another replica shows up as a newer member and is loaded then. Each
result's card (the Amenity message it shows, about 300 bytes) is built ahead in the
background, and again only when its listing has a new version (a card missing or older than
its listing is built when shown). The one thing a result shows that moves without a new
version, its count of reports in the last 30 days, is held apart: one grouped query a minute
reads them all (a report made here counts at once), and a search adds each result's count
to its card. At 100,000 amenities the process holds about 200 MB.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import asyncpg
import redis.asyncio as aioredis
from prometheus_client import Counter, Gauge
from redis.exceptions import RedisError

from civicloop.amenities import messages
from civicloop.amenities.domain.model import Access, Amenity, AmenityKind
from civicloop.amenities.domain.search import Found, Listing, OpenWindows, Query, select
from civicloop.amenities.queries import RECENT_REPORT
from civicloop.amenities.store.repository import AMENITY_COLUMNS_A, amenity_from_row
from civicloop.platform.clock import Clock, system_clock
from civicloop.platform.geo import METRES_PER_DEGREE
from civicloop.platform.runtime import settle_heap

log = logging.getLogger(__name__)

SEARCHES = Counter(
    "civicloop_amenity_searches_total",
    "FindNearby searches by where their candidates came from: redis (the GEO index), or"
    " postgresql (while the index is lost or Redis away: slower)",
    ["source"],
)
FROM_REDIS, FROM_POSTGRESQL = SEARCHES.labels("redis"), SEARCHES.labels("postgresql")
CARDS_HELD = Gauge(
    "civicloop_amenity_cards",
    "Search results' cards built ahead (one per active amenity once the first pass is done)",
)
INDEX_REBUILDS = Counter(
    "civicloop_amenity_index_rebuilds_total",
    "Times the Redis GEO index was rebuilt from PostgreSQL (at start, and after Redis lost it)",
)

# Redis measures with its own earth radius on 52-bit geohashes: ask a metre more, then keep
# what the stored coordinates put within the radius (the same rule as PostgreSQL's answer).
SLACK_M = 1.0
# Members per GEOADD while the index is rebuilt.
REBUILD_BATCH = 2000
# After a rebuild failed (Redis away), the next one is tried this much later.
REBUILD_RETRY_SECONDS = 5.0
# Cards (the amenity as a result shows it) are built this many at a time in the background.
CARD_BATCH = 100
# How often the cards' new versions are built and the recent reports counted again.
CARDS_EVERY_SECONDS = 60.0

# What search decides on, read for every active amenity at start.
SEARCH_COLUMNS = """amenity_id, version, kind, access, latitude, longitude, opening_hours,
    verified_at, wheelchair_accessible, baby_change, all_gender, fee_fen"""
_KINDS = {k.value: k for k in AmenityKind}
_ACCESS = {a.value: a for a in Access}


def listing_from_row(row: asyncpg.Record, texts: dict[str, str]) -> Listing:
    """A listing from SEARCH_COLUMNS; ``texts`` keeps one copy of each opening-hours text."""
    hours = row["opening_hours"]
    return Listing(
        id=str(row["amenity_id"]),
        version=row["version"],
        kind=_KINDS[row["kind"]],
        access=_ACCESS[row["access"]],
        latitude=row["latitude"],
        longitude=row["longitude"],
        opening_hours=texts.setdefault(hours, hours),
        verified_at=row["verified_at"],
        wheelchair_accessible=row["wheelchair_accessible"],
        baby_change=row["baby_change"],
        all_gender=row["all_gender"],
        free=row["fee_fen"] == 0,
    )


def listing_of(amenity: Amenity) -> Listing:
    d = amenity.details
    return Listing(
        id=amenity.id,
        version=amenity.version,
        kind=d.kind,
        access=d.access,
        latitude=d.latitude,
        longitude=d.longitude,
        opening_hours=d.opening_hours,
        verified_at=amenity.verified_at,
        wheelchair_accessible=d.wheelchair_accessible,
        baby_change=d.baby_change,
        all_gender=d.all_gender,
        free=d.fee_fen == 0,
    )


def card_of(amenity: Amenity) -> bytes:
    """The amenity as a search result shows it (its stale flag and its count of recent
    reports are added per search)."""
    return messages.amenity_pb(amenity).SerializeToString()


# One round trip per search: KEYS[1] the ready key, KEYS[2..] the GEO keys to search.
# Returns whether the index is ready, and the members within ARGV[3] metres of (ARGV[1],
# ARGV[2]) in every key searched.
# Each key's members nearest first (ASC): with one key, as the search walks them.
SEARCH = """
local members = {}
for i = 2, #KEYS do
  local found = redis.call('GEOSEARCH', KEYS[i], 'FROMLONLAT', ARGV[1], ARGV[2],
                           'BYRADIUS', ARGV[3], 'm', 'ASC')
  for _, m in ipairs(found) do members[#members + 1] = m end
end
return {redis.call('EXISTS', KEYS[1]), members}
"""


def member(amenity_id: str, version: int) -> str:
    return f"{amenity_id}:{version}"


class Card(NamedTuple):
    """A tuple of atoms, so the cyclic collector stops tracking it: 100,000 cards would
    otherwise be walked by every full pass."""

    version: int
    card: bytes


@dataclass(frozen=True, slots=True)
class Result:
    found: Found
    card: bytes
    recent_reports: int


class GeoIndex:
    """The Redis keys of the index."""

    def __init__(self, redis: aioredis.Redis, namespace: str) -> None:
        self.redis = redis
        self.prefix = f"{namespace}amenities:geo"
        self.ready_key = f"{self.prefix}:ready"
        self._search = redis.register_script(SEARCH)

    def key(self, access: Access, kind: AmenityKind | None = None) -> str:
        return f"{self.prefix}:{access.value}" + (f":{kind.value}" if kind else "")

    def keys_for(self, listing: Listing) -> tuple[str, str]:
        return self.key(listing.access), self.key(listing.access, listing.kind)

    async def search(
        self,
        latitude: float,
        longitude: float,
        radius_m: float,
        keys: Sequence[str],
    ) -> list[bytes] | None:
        """Members within the radius, or None when the index is not built."""
        ready, members = await self._search(
            keys=[self.ready_key, *keys], args=[longitude, latitude, radius_m]
        )
        return list(members) if ready else None

    async def put(self, old: Listing | None, new: Listing | None) -> None:
        """Replace an amenity's member (``old``: as indexed before; ``new``: None when it
        left the map)."""
        pipe = self.redis.pipeline(transaction=True)
        if old is not None:
            for key in self.keys_for(old):
                pipe.zrem(key, member(old.id, old.version))
        if new is not None:
            for key in self.keys_for(new):
                pipe.geoadd(key, (new.longitude, new.latitude, member(new.id, new.version)))
        await pipe.execute()

    async def rebuild(self, listings: Iterable[Listing]) -> int:
        """Write every listing's members, then mark the index ready."""
        by_key: dict[str, list[str | float]] = {}
        count = 0
        for listing in listings:
            point = (listing.longitude, listing.latitude, member(listing.id, listing.version))
            for key in self.keys_for(listing):
                by_key.setdefault(key, []).extend(point)
            count += 1
        # One batch per round trip: a write of the whole index would outlast the socket's
        # timeout, and the loop keeps serving between batches.
        for key, values in by_key.items():
            for start in range(0, len(values), 3 * REBUILD_BATCH):
                await self.redis.geoadd(key, values[start : start + 3 * REBUILD_BATCH])
        await self.redis.set(self.ready_key, "1")
        return count


class Finder:
    """FindNearby's source of candidates, the listings they are decided on and the cards
    the results show."""

    def __init__(self, pool: asyncpg.Pool, index: GeoIndex, clock: Clock = system_clock) -> None:
        self.pool = pool
        self.index = index
        self.clock = clock
        self.windows = OpenWindows()
        self.listings: dict[str, Listing] = {}
        self.cards: dict[str, Card] = {}
        self.recent_reports: dict[str, int] = {}  # by amenity, those with any
        self._texts: dict[str, str] = {}
        self._rebuilding: asyncio.Task[None] | None = None
        self._retry_rebuild_at = 0.0
        # Amenities off the map (suspended, withdrawn) and the version that took them off.
        self._gone: dict[str, int] = {}

    # ---- start and rebuild ----

    async def start(self) -> None:
        """Every active amenity's listing into memory, and the index built if Redis lost it,
        never had it, or holds fewer members than PostgreSQL has active amenities (a database
        restored under a Redis that kept its keys). Members to spare (left by a change whose
        index write failed) are ignored by searches: their version is not the listing's."""
        await self._load_all()
        try:
            ready = await self.index.redis.exists(self.index.ready_key)
            indexed = sum([await self.index.redis.zcard(self.index.key(a)) for a in Access])
        except RedisError:
            log.warning("Redis does not answer: searches use PostgreSQL until it does")
            return
        if not ready or indexed < len(self.listings):
            try:
                await self._rebuild(reload=False)
            except RedisError as exc:
                log.warning(
                    "amenity index not built (Redis away?); searches use PostgreSQL: %r", exc
                )

    async def _load_all(self) -> None:
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                f"SELECT {SEARCH_COLUMNS} FROM amenities WHERE state = 'active'"
            )
        self.listings = {
            listing.id: listing for listing in (listing_from_row(r, self._texts) for r in rows)
        }

    async def _rebuild(self, reload: bool = True) -> None:
        started = time.monotonic()
        if reload:
            await self._load_all()
        count = await self.index.rebuild(list(self.listings.values()))
        INDEX_REBUILDS.inc()
        log.info(
            "amenity index rebuilt",
            extra={"fields": {"amenities": count, "seconds": round(time.monotonic() - started, 2)}},
        )

    def rebuild_soon(self) -> None:
        """One rebuild at a time, in the background; searches meanwhile use PostgreSQL.
        While Redis is away the next attempt waits REBUILD_RETRY_SECONDS: every search
        would otherwise read every listing from PostgreSQL again for nothing."""
        if self._rebuilding is not None and not self._rebuilding.done():
            return
        if time.monotonic() < self._retry_rebuild_at:
            return

        async def rebuild() -> None:
            try:
                await self.index.redis.ping()  # away: fail before reading every listing
                await self._rebuild()
            except (RedisError, OSError) as exc:
                self._retry_rebuild_at = time.monotonic() + REBUILD_RETRY_SECONDS
                log.warning("amenity index not rebuilt (Redis away?): %r", exc)

        self._rebuilding = asyncio.create_task(rebuild(), name="amenity-index-rebuild")

    # ---- cards ----

    async def keep_cards(self) -> None:
        """Build every listing's card ahead of the searches that show it, a batch at a time
        (the loop serves requests between batches); then, every minute, the cards of new
        versions, and the counts of recent reports again."""
        first_pass = True
        while True:
            try:
                await self._count_recent_reports()
                due = [
                    listing.id
                    for listing in list(self.listings.values())
                    if (card := self.cards.get(listing.id)) is None
                    or card.version != listing.version
                ]
                for start in range(0, len(due), CARD_BATCH):
                    await self._build_cards(due[start : start + CARD_BATCH])
                    await asyncio.sleep(0)
            except Exception:
                # Whatever went wrong, the task lives on: the next minute tries again.
                log.exception("cards not built (the database away?)")
            if first_pass:
                settle_heap()  # the cards of every listing, built once, kept until they change
                first_pass = False
            await asyncio.sleep(CARDS_EVERY_SECONDS)

    async def _count_recent_reports(self) -> None:
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                f"""SELECT amenity_id, count(*) AS n FROM amenity_reports r
                     WHERE {RECENT_REPORT} GROUP BY amenity_id"""
            )
        self.recent_reports = {str(row["amenity_id"]): row["n"] for row in rows}

    def reported(self, amenity_id: str) -> None:
        """A report made here: counted from the next search on (others' at the next count)."""
        self.recent_reports[amenity_id] = self.recent_reports.get(amenity_id, 0) + 1

    async def _build_cards(self, ids: list[str]) -> None:
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                f"SELECT {AMENITY_COLUMNS_A} FROM amenities a WHERE a.amenity_id = ANY($1::uuid[])",
                ids,
            )
        for row in rows:
            amenity = amenity_from_row(row)
            self.cards[amenity.id] = Card(amenity.version, card_of(amenity))
        CARDS_HELD.set(len(self.cards))

    async def _cards_for(self, found: list[Found]) -> list[bytes]:
        missing = [
            f.listing.id
            for f in found
            if (card := self.cards.get(f.listing.id)) is None or card.version != f.listing.version
        ]
        if missing:
            await self._build_cards(missing)
        return [self.cards[f.listing.id].card for f in found]

    # ---- changes ----

    async def changed(self, before: Listing | None, after: Amenity) -> None:
        """After a committed change (``before``: the listing as it was, None when it was
        off the map): the listing, its card and the index follow. Redis being away loses
        nothing: a search then finds the index not ready, or a member newer than the
        listing held."""
        new = listing_of(after) if after.searchable else None
        self.cards.pop(after.id, None)
        if new is None:
            self.listings.pop(after.id, None)
            self._gone[after.id] = after.version
        else:
            self.listings[new.id] = new
            self._gone.pop(after.id, None)
        try:
            await self.index.put(before, new)
        except RedisError as exc:
            log.warning("amenity index not updated, rebuilding it: %r", exc)
            await self._forget_index()

    async def _forget_index(self) -> None:
        try:
            await self.index.redis.delete(self.index.ready_key)
        except RedisError:
            pass  # Redis away altogether: a restarted Redis has no ready key either

    # ---- search ----

    async def find(self, query: Query) -> list[Result]:
        """The amenities to show, nearest first, with their cards."""
        keys = self._keys(query)
        try:
            members = await self.index.search(
                query.latitude, query.longitude, query.radius_m + SLACK_M, keys
            )
        except RedisError:
            members = None
        if members is None:
            self.rebuild_soon()
            candidates = await self._near_in_postgresql(query)
            FROM_POSTGRESQL.inc()
        else:
            candidates = await self._current(members)
            FROM_REDIS.inc()
        # One key's members come nearest first; several keys' are not merged in order.
        nearest_first = members is not None and len(keys) == 1
        found = select(query, candidates, self.listings, self.windows, nearest_first=nearest_first)
        cards = await self._cards_for(found)
        counts = self.recent_reports
        return [
            Result(f, card, counts.get(f.listing.id, 0))
            for f, card in zip(found, cards, strict=True)
        ]

    def _keys(self, query: Query) -> list[str]:
        if not query.kinds:
            return [self.index.key(query.access)]
        return [self.index.key(query.access, kind) for kind in sorted(query.kinds)]

    async def _current(self, members: list[bytes]) -> list[str]:
        """The ids of the members, with any listing older than its member (changed by
        another replica) loaded again."""
        ids: list[str] = []
        newer: list[str] = []
        listings = self.listings
        for raw in members:
            amenity_id, _, text = raw.decode().rpartition(":")
            listing = listings.get(amenity_id)
            if listing is not None:
                version = int(text)
                if listing.version == version:
                    ids.append(amenity_id)
                    continue
                if listing.version > version:
                    continue  # a member left behind by a rebuild racing a change
            elif int(text) <= self._gone.get(amenity_id, 0):
                continue  # off the map since: a member its index write did not remove
            newer.append(amenity_id)
            ids.append(amenity_id)
        if newer:
            await self._reload(newer)
        return ids

    async def _reload(self, ids: list[str]) -> None:
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                f"""SELECT {SEARCH_COLUMNS}, state = 'active' AS active
                      FROM amenities WHERE amenity_id = ANY($1::uuid[])""",
                ids,
            )
        for row in rows:
            if row["active"]:
                listing = listing_from_row(row, self._texts)
                self.listings[listing.id] = listing
                self._gone.pop(listing.id, None)
            else:
                self.listings.pop(str(row["amenity_id"]), None)
                self._gone[str(row["amenity_id"])] = row["version"]

    async def _near_in_postgresql(self, query: Query) -> list[str]:
        """Active amenities in the bounding box of the circle (the exact distance and the
        filters are the domain's, as for Redis' candidates)."""
        d_lat = (query.radius_m + SLACK_M) / METRES_PER_DEGREE
        d_lng = d_lat / max(math.cos(math.radians(query.latitude)), 1e-6)
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                f"""SELECT {SEARCH_COLUMNS} FROM amenities
                     WHERE state = 'active' AND latitude BETWEEN $1 AND $2
                       AND longitude BETWEEN $3 AND $4 AND access = $5""",
                query.latitude - d_lat,
                query.latitude + d_lat,
                query.longitude - d_lng,
                query.longitude + d_lng,
                query.access.value,
            )
        ids = []
        for row in rows:
            listing = listing_from_row(row, self._texts)
            held = self.listings.get(listing.id)
            if held is None or held.version != listing.version:
                self.listings[listing.id] = listing
            ids.append(listing.id)
        return ids
