"""``python -m scripts.seed_amenities``: the amenities of the five named communities, and as
many generated ones as asked (100,000 by default), written to amenities' database with COPY.

    python -m scripts.seed_amenities                      # the local stack's database
    python -m scripts.seed_amenities --generated 0        # the named communities only
    python -m scripts.seed_amenities --database-url postgresql://postgres@127.0.0.1/amenities_x

The named ones are what each sharing point of 翔凤桥, 莲花, 岷江路, 新联 and 南桥 offers: merchants'
shared toilets and hot water, the community's own childcare and reading rooms, greenway rest
points. The generated ones stand for a city with many more: most in the old town around the
named communities, the rest spread over Dujiangyan's area, with the opening hours, kinds and
access found in practice. Ids are derived from the names and numbers, so seeding twice adds
nothing. Each row gets its history entry (registered by service:amenities-seed); no events are
published. A running service notices the seeding (the index's ready key is removed) and
rebuilds its index and listings at its next search.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import random
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import redis.asyncio as aioredis

from civicloop.amenities.domain.geo import DUJIANGYAN_BOUNDS
from civicloop.amenities.domain.model import Access, Amenity, AmenityKind, Details, Merchant
from civicloop.amenities.index import GeoIndex
from civicloop.amenities.settings import AmenitiesSettings
from civicloop.amenities.store.repository import AMENITY_COLUMNS, amenity_values
from civicloop.platform import db
from civicloop.platform.domain import Actor

SEEDER = Actor("service:amenities-seed", "service:amenities-seed")
NAMESPACE_IDS = uuid.UUID("6f1d2c1e-5b7a-4c39-9a51-2f1e0c6b7d10")
REGISTERED = "civicloop.amenity.registered.v1"
# The old town, where most of the generated amenities are (Gaussian around it).
TOWN = (30.999, 103.622)
TOWN_SIGMA_M = 3000.0
TOWN_SHARE = 0.3
SEED = 15

# The five named communities' sharing points, as data beside this script.
NAMED_FILE = Path(__file__).with_name("seed_amenities_named.json")

# What the generated ones are, as often as found: kind, share, access customers-only share.
KINDS = [
    (AmenityKind.SHARED_TOILET, 35, 0.0),
    (AmenityKind.SHARED_HOT_WATER, 25, 0.25),
    (AmenityKind.READING, 10, 0.2),
    (AmenityKind.CHILDCARE, 8, 0.0),
    (AmenityKind.GREENWAY, 7, 0.0),
    (AmenityKind.MEDICAL, 5, 0.1),
    (AmenityKind.EDUCATION, 5, 0.2),
    (AmenityKind.OTHER, 5, 0.2),
]
HOURS = [
    ("Mo-Su 08:00-21:00", 20),
    ("24/7", 10),
    ("Mo-Su 07:00-22:00", 10),
    ("Mo-Su 09:00-21:00", 8),
    ("Mo-Su 10:00-22:00", 8),
    ("Mo-Fr 09:00-17:00; PH off", 6),
    ("Mo-Sa 08:30-20:30; Su off", 5),
    ("Mo-Su 06:00-19:00", 5),
    ("Mo-Su 18:00-02:00", 4),
    ("Tu-Su 09:00-17:00; PH off", 4),
    ("Mo-Fr 08:00-18:00; Sa,Su 09:00-17:00", 4),
    ("Mo-Fr 08:30-12:00,14:00-17:30; PH off", 4),
    ("Mo-Su 11:00-14:00,17:00-22:00", 4),
    ("Sa,Su,PH 09:00-18:00", 3),
    ("Mo-Su 07:30-21:30; PH 09:00-17:00", 3),
    ("Mo-Su 20:00-02:00", 2),
]
SHOPS = [
    "便利店",
    "超市",
    "茶馆",
    "面馆",
    "药房",
    "加油站",
    "酒店",
    "民宿",
    "咖啡馆",
    "书店",
    "火锅店",
]
LABEL = {
    AmenityKind.SHARED_TOILET: "共享厕所",
    AmenityKind.SHARED_HOT_WATER: "共享热水",
    AmenityKind.READING: "阅读角",
    AmenityKind.CHILDCARE: "儿童之家",
    AmenityKind.GREENWAY: "绿道驿站",
    AmenityKind.MEDICAL: "急救角",
    AmenityKind.EDUCATION: "课堂",
    AmenityKind.OTHER: "共享点",
}
STREETS = ["幸福路", "灌口路", "岷江路", "奎光路", "蒲阳路", "建设路", "宝莲路", "都江堰大道"]


def _id(name: str) -> str:
    return str(uuid.uuid5(NAMESPACE_IDS, name))


def _offset(lat: float, lng: float, north_m: float, east_m: float) -> tuple[float, float]:
    return (
        lat + north_m / 111_320.0,
        lng + east_m / (111_320.0 * math.cos(math.radians(lat))),
    )


def named_amenities(now: datetime) -> Iterator[Amenity]:
    communities = json.loads(NAMED_FILE.read_text("utf-8"))["communities"]
    for community, entries in communities.items():
        centre = entries["centre"]["latitude"], entries["centre"]["longitude"]
        for n, item in enumerate(entries["amenities"], 1):
            lat, lng = _offset(*centre, item["north_m"], item["east_m"])
            shop = item["merchant"]
            merchant = (
                Merchant(shop, enrolled=True, sign_number=f"DJY-{community}-{n:04d}")
                if shop
                else None
            )
            yield Amenity.register(
                _id(f"named:{community}:{item['name']}"),
                community,
                Details(
                    kind=AmenityKind(item["kind"]),
                    name=item["name"],
                    address=f"{STREETS[n % len(STREETS)]}{n * 7}号",
                    latitude=round(lat, 6),
                    longitude=round(lng, 6),
                    opening_hours=item["opening_hours"],
                    merchant=merchant,
                    access=Access(item["access"]),
                    wheelchair_accessible=item["wheelchair_accessible"],
                    baby_change=item["baby_change"],
                    all_gender=item["all_gender"],
                ),
                SEEDER,
                now - timedelta(days=30),
            )


def _point(rng: random.Random) -> tuple[float, float]:
    south, north, west, east = DUJIANGYAN_BOUNDS
    if rng.random() < TOWN_SHARE:
        lat, lng = _offset(*TOWN, rng.gauss(0, TOWN_SIGMA_M), rng.gauss(0, TOWN_SIGMA_M))
        if south <= lat <= north and west <= lng <= east:
            return lat, lng
    return rng.uniform(south, north), rng.uniform(west, east)


def generated_amenities(count: int, now: datetime, seed: int = SEED) -> Iterator[Amenity]:
    rng = random.Random(seed)
    kinds = [k for k, _, _ in KINDS]
    kind_weights = [w for _, w, _ in KINDS]
    customers_share = {k: s for k, _, s in KINDS}
    hours, hours_weights = [h for h, _ in HOURS], [w for _, w in HOURS]
    communities = [f"C{n:03d}" for n in range(1, 167)]
    for i in range(count):
        kind = rng.choices(kinds, kind_weights)[0]
        lat, lng = _point(rng)
        shop = f"{rng.choice(STREETS)}{rng.choice(SHOPS)}{i}" if rng.random() < 0.7 else None
        access = Access.CUSTOMERS if rng.random() < customers_share[kind] else Access.PUBLIC
        amenity = Amenity.register(
            _id(f"generated:{i}"),
            rng.choice(communities),
            Details(
                kind=kind,
                name=f"{shop or '社区'}{LABEL[kind]}",
                address=f"{rng.choice(STREETS)}{rng.randint(1, 999)}号",
                latitude=round(lat, 6),
                longitude=round(lng, 6),
                opening_hours=rng.choices(hours, hours_weights)[0],
                merchant=Merchant(shop, enrolled=True, sign_number=f"DJY-G-{i:06d}")
                if shop
                else None,
                access=access,
                wheelchair_accessible=rng.random() < 0.4,
                baby_change=rng.random() < 0.2,
                all_gender=rng.random() < 0.15,
                fee_fen=0 if rng.random() < 0.95 else 100,
            ),
            SEEDER,
            # Checked on site over the last eight months: about a quarter are stale.
            now - timedelta(days=rng.uniform(0, 240)),
        )
        yield amenity


async def seed(database_url: str, generated: int, redis_url: str, namespace: str) -> int:
    """Write the amenities (those already there are left as they are); returns how many
    were added."""
    await db.ensure_database(database_url)
    pool = await db.create_pool(database_url, 1, 2)
    try:
        await db.migrate(pool, "platform", db.PLATFORM_MIGRATIONS)
        await db.migrate(pool, "amenities", "civicloop.amenities.store.migrations")
        now = datetime.now(UTC)
        amenities = [*named_amenities(now), *generated_amenities(generated, now)]
        columns = [c.strip() for c in AMENITY_COLUMNS.split(",")]
        async with pool.acquire() as conn, conn.transaction():
            await conn.execute(
                "CREATE TEMP TABLE seeded (LIKE amenities INCLUDING DEFAULTS) ON COMMIT DROP"
            )
            await conn.copy_records_to_table(
                "seeded", records=[amenity_values(a) for a in amenities], columns=columns
            )
            added = await conn.fetch(
                """INSERT INTO amenities SELECT * FROM seeded ON CONFLICT (amenity_id) DO NOTHING
                   RETURNING amenity_id, registered_at"""
            )
            await conn.copy_records_to_table(
                "history",
                records=[
                    (
                        "amenity",
                        str(r["amenity_id"]),
                        1,
                        "active",
                        REGISTERED,
                        str(uuid.uuid4()),
                        SEEDER.subject,
                        SEEDER.role,
                        r["registered_at"],
                    )
                    for r in added
                ],
                columns=[
                    "aggregate_type",
                    "aggregate_id",
                    "version",
                    "state",
                    "event_type",
                    "event_id",
                    "actor",
                    "role",
                    "at",
                ],
            )
        await pool.execute("ANALYZE amenities")
    finally:
        await pool.close()
    client = aioredis.from_url(redis_url)
    try:
        # The service finds its index not built and builds it from what was just seeded.
        await client.delete(GeoIndex(client, namespace).ready_key)
    finally:
        await client.aclose()
    return len(added)


def main() -> None:
    defaults = AmenitiesSettings()
    parser = argparse.ArgumentParser(
        prog="python -m scripts.seed_amenities", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--generated", type=int, default=100_000, help="generated amenities (default 100,000)"
    )
    parser.add_argument("--database-url", default=defaults.database_url)
    parser.add_argument("--redis-url", default=defaults.redis_url)
    parser.add_argument(
        "--namespace", default=defaults.namespace, help="the service's CIVICLOOP_NAMESPACE"
    )
    options = parser.parse_args()
    started = time.monotonic()
    added = asyncio.run(
        seed(options.database_url, options.generated, options.redis_url, options.namespace)
    )
    print(f"amenities seeded: {added:,} added in {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
