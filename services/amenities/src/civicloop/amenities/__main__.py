"""``python -m civicloop.amenities``: run the amenities service."""

from __future__ import annotations

from civicloop.amenities.bootstrap import build
from civicloop.amenities.settings import AmenitiesSettings
from civicloop.platform.runtime import run, serve


def main() -> None:
    settings = AmenitiesSettings()
    # Redis holds the search index (rebuilt from PostgreSQL) and the public rate limits.
    run(lambda: serve(settings, "civicloop.amenities.store.migrations", build, uses_redis=True))


if __name__ == "__main__":
    main()
