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

The listings of every active amenity are kept in memory (about 0.5 kB each), loaded at
start; a change made by another replica shows up as a newer member and is loaded then.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Iterable, Sequence

import asyncpg
import redis.asyncio as aioredis
from prometheus_client import Counter
from redis.exceptions import RedisError

from civicloop.amenities import messages
from civicloop.amenities.domain.model import Access, Amenity, AmenityKind
from civicloop.amenities.domain.search import Found, Listing, OpenWindows, Query, select
from civicloop.amenities.store.repository import AMENITY_COLUMNS, amenity_from_row
from civicloop.platform.clock import Clock, system_clock

log = logging.getLogger(__name__)

SEARCHES = Counter(
    "civicloop_amenity_searches_total",
    "FindNearby searches by where their candidates came from: redis (the GEO index), or"
    " postgresql (while the index is lost or Redis away: slower)",
    ["source"],
)
FROM_REDIS, FROM_POSTGRESQL = SEARCHES.labels("redis"), SEARCHES.labels("postgresql")
INDEX_REBUILDS = Counter(
    "civicloop_amenity_index_rebuilds_total",
    "Times the Redis GEO index was rebuilt from PostgreSQL (at start, and after Redis lost it)",
)

# Redis measures with its own earth radius on 52-bit geohashes: ask a metre more, then keep
# what the stored coordinates put within the radius (the same rule as PostgreSQL's answer).
SLACK_M = 1.0
REBUILD_BATCH = 5000
METRES_PER_DEGREE = 111_320.0
# The count of recent reports a search result carries is read again after this long.
LISTING_TTL_SECONDS = 300.0


def listing_of(amenity: Amenity, recent_reports: int = 0) -> Listing:
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
        card=messages.amenity_pb(amenity, recent_report_count=recent_reports).SerializeToString(),
    )


def member(amenity_id: str, version: int) -> str:
    return f"{amenity_id}:{version}"


class GeoIndex:
    """The Redis keys of the index."""

    def __init__(self, redis: aioredis.Redis, namespace: str) -> None:
        self.redis = redis
        self.prefix = f"{namespace}amenities:geo"
        self.ready_key = f"{self.prefix}:ready"

    def key(self, access: Access, kind: AmenityKind | None = None) -> str:
        return f"{self.prefix}:{access.value}" + (f":{kind.value}" if kind else "")

    def keys_for(self, listing: Listing) -> tuple[str, str]:
        return self.key(listing.access), self.key(listing.access, listing.kind)

    async def search(
        self, latitude: float, longitude: float, radius_m: float, keys: Sequence[str]
    ) -> list[bytes] | None:
        """Members within the radius, or None when the index is not built."""
        pipe = self.redis.pipeline(transaction=False)
        pipe.exists(self.ready_key)
        for key in keys:
            pipe.execute_command(
                "GEOSEARCH", key, "FROMLONLAT", longitude, latitude, "BYRADIUS", radius_m, "m"
            )
        ready, *found = await pipe.execute()
        if not ready:
            return None
        return [m for members in found for m in members]

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
        count = 0
        pipe = self.redis.pipeline(transaction=False)
        for listing in listings:
            for key in self.keys_for(listing):
                point = (listing.longitude, listing.latitude, member(listing.id, listing.version))
                pipe.geoadd(key, point)
            count += 1
            if count % REBUILD_BATCH == 0:
                await pipe.execute()
        await pipe.execute()
        await self.redis.set(self.ready_key, "1")
        return count


class Finder:
    """FindNearby's source of candidates and the listings they are decided on."""

    def __init__(self, pool: asyncpg.Pool, index: GeoIndex, clock: Clock = system_clock) -> None:
        self.pool = pool
        self.index = index
        self.clock = clock
        self.windows = OpenWindows()
        self.listings: dict[str, Listing] = {}
        self._loaded_at: dict[str, float] = {}
        self._rebuilding: asyncio.Task[None] | None = None

    # ---- start and rebuild ----

    async def start(self) -> None:
        """Every active amenity's listing into memory, and the index built if Redis lost it
        (or never had it)."""
        await self._load_all()
        try:
            ready = await self.index.redis.exists(self.index.ready_key)
        except RedisError:
            log.warning("Redis does not answer: searches use PostgreSQL until it does")
            return
        if not ready:
            await self._rebuild()

    async def _load_all(self) -> None:
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                f"SELECT {AMENITY_COLUMNS} FROM amenities WHERE state = 'active'"
            )
        now = time.monotonic()
        listings = {}
        for row in rows:
            listing = listing_of(amenity_from_row(row))
            listings[listing.id] = listing
        self.listings = listings
        self._loaded_at = dict.fromkeys(listings, now)

    async def _rebuild(self) -> None:
        started = time.monotonic()
        await self._load_all()
        count = await self.index.rebuild(list(self.listings.values()))
        INDEX_REBUILDS.inc()
        log.info(
            "amenity index rebuilt",
            extra={"fields": {"amenities": count, "seconds": round(time.monotonic() - started, 2)}},
        )

    def rebuild_soon(self) -> None:
        """One rebuild at a time, in the background; searches meanwhile use PostgreSQL."""
        if self._rebuilding is not None and not self._rebuilding.done():
            return

        async def rebuild() -> None:
            try:
                await self._rebuild()
            except (RedisError, OSError) as exc:
                log.warning("amenity index not rebuilt (Redis away?): %r", exc)

        self._rebuilding = asyncio.create_task(rebuild(), name="amenity-index-rebuild")

    # ---- changes ----

    async def changed(self, before: Listing | None, after: Amenity) -> None:
        """After a committed change (``before``: the listing as it was, None when it was
        off the map): the listing and the index follow. Redis being away loses nothing: a
        search then finds the index not ready, or a member newer than the listing held."""
        new = listing_of(after) if after.searchable else None
        if new is None:
            self.listings.pop(after.id, None)
        else:
            self.listings[new.id] = new
            self._loaded_at[new.id] = time.monotonic()
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

    async def find(self, query: Query) -> list[Found]:
        """The amenities to show, nearest first."""
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
        return select(query, candidates, self.listings, self.windows)

    def _keys(self, query: Query) -> list[str]:
        if not query.kinds:
            return [self.index.key(query.access)]
        return [self.index.key(query.access, kind) for kind in sorted(query.kinds)]

    async def _current(self, members: list[bytes]) -> list[str]:
        """The ids of the members, with any listing older than its member (changed by
        another replica) or held too long loaded again."""
        ids: list[str] = []
        stale: list[str] = []
        expired_before = time.monotonic() - LISTING_TTL_SECONDS
        listings, loaded_at = self.listings, self._loaded_at
        for raw in members:
            amenity_id, _, version = raw.decode().rpartition(":")
            listing = listings.get(amenity_id)
            if listing is None or listing.version < int(version):
                stale.append(amenity_id)
            elif listing.version > int(version):
                continue  # a member left behind by a rebuild racing a change
            elif loaded_at.get(amenity_id, 0.0) < expired_before:
                stale.append(amenity_id)
            ids.append(amenity_id)
        if stale:
            await self._reload(stale)
        return ids

    async def _reload(self, ids: list[str]) -> None:
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                f"""SELECT {AMENITY_COLUMNS},
                       (SELECT count(*) FROM amenity_reports r
                         WHERE r.amenity_id = a.amenity_id
                           AND r.reported_at > now() - interval '30 days') AS recent_reports
                      FROM amenities a WHERE amenity_id = ANY($1::uuid[])""",
                ids,
            )
        now = time.monotonic()
        for row in rows:
            amenity = amenity_from_row(row)
            if amenity.searchable:
                self.listings[amenity.id] = listing_of(amenity, row["recent_reports"])
                self._loaded_at[amenity.id] = now
            else:
                self.listings.pop(amenity.id, None)

    async def _near_in_postgresql(self, query: Query) -> list[str]:
        """Active amenities in the bounding box of the circle (the exact distance and the
        filters are the domain's, as for Redis' candidates)."""
        d_lat = (query.radius_m + SLACK_M) / METRES_PER_DEGREE
        d_lng = d_lat / max(math.cos(math.radians(query.latitude)), 1e-6)
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                f"""SELECT {AMENITY_COLUMNS} FROM amenities
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
            amenity = amenity_from_row(row)
            held = self.listings.get(amenity.id)
            if held is None or held.version != amenity.version:
                self.listings[amenity.id] = listing_of(amenity)
            ids.append(amenity.id)
        return ids
