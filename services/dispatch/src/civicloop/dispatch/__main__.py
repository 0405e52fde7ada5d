"""``python -m civicloop.dispatch``: run the dispatch service."""

from __future__ import annotations

from civicloop.dispatch.bootstrap import build
from civicloop.dispatch.settings import DispatchSettings
from civicloop.platform.runtime import run, serve


def main() -> None:
    settings = DispatchSettings()
    run(lambda: serve(settings, "civicloop.dispatch.store.migrations", build))


if __name__ == "__main__":
    main()
