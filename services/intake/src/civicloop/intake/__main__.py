"""``python -m civicloop.intake``: run the intake service."""

from __future__ import annotations

from civicloop.intake.bootstrap import build
from civicloop.intake.settings import IntakeSettings
from civicloop.platform.runtime import run, serve


def main() -> None:
    settings = IntakeSettings()
    run(lambda: serve(settings, "civicloop.intake.store.migrations", build, uses_redis=True))


if __name__ == "__main__":
    main()
