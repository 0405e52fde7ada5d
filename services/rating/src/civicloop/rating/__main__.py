"""``python -m civicloop.rating``: run the rating service."""

from __future__ import annotations

from civicloop.platform.runtime import run, serve
from civicloop.rating.bootstrap import build
from civicloop.rating.settings import RatingSettings


def main() -> None:
    settings = RatingSettings()
    run(lambda: serve(settings, "civicloop.rating.store.migrations", build))


if __name__ == "__main__":
    main()
