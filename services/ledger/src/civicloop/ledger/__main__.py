"""``python -m civicloop.ledger``: run the ledger service."""

from __future__ import annotations

from civicloop.ledger.bootstrap import build
from civicloop.ledger.settings import LedgerSettings
from civicloop.platform.runtime import run, serve


def main() -> None:
    settings = LedgerSettings()
    # Redis holds the public RPCs' rate limit counters.
    run(lambda: serve(settings, "civicloop.ledger.store.migrations", build, uses_redis=True))


if __name__ == "__main__":
    main()
