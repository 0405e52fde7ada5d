"""``python -m civicloop.rating``: run the rating service."""

from __future__ import annotations

from civicloop.platform.runtime import run, serve
from civicloop.rating.bootstrap import build
from civicloop.rating.settings import RatingSettings


def main() -> None:
    settings = RatingSettings()
    # Redis holds the rating page's rate limit counters (and readiness checks it).
    run(lambda: serve(settings, "civicloop.rating.store.migrations", build, uses_redis=True))


if __name__ == "__main__":
    main()
