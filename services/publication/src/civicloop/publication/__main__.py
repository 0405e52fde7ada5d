"""``python -m civicloop.publication``: run the publication service."""

from __future__ import annotations

from civicloop.platform.runtime import run, serve
from civicloop.publication.bootstrap import build
from civicloop.publication.settings import PublicationSettings


def main() -> None:
    settings = PublicationSettings()
    # Redis holds the public RPCs' rate limit counters (and readiness checks it).
    run(lambda: serve(settings, "civicloop.publication.store.migrations", build, uses_redis=True))


if __name__ == "__main__":
    main()
