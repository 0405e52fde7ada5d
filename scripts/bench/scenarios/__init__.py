"""One scenario per service: a module here that defines ``SCENARIO`` (a ``harness.Scenario``).

Adding a service's benchmark is adding its module; ``all_scenarios`` finds it.
"""

from __future__ import annotations

import importlib
import pkgutil

from ..harness import Scenario


def all_scenarios() -> list[Scenario]:
    """Every scenario module's SCENARIO, in their run order."""
    scenarios = []
    for module_info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        scenario = getattr(module, "SCENARIO", None)
        if not isinstance(scenario, Scenario):
            raise TypeError(f"{module.__name__} defines no SCENARIO")
        scenarios.append(scenario)
    return sorted(scenarios, key=lambda scenario: scenario.order)
