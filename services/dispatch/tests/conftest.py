"""Make ``civicloop.dispatch`` importable before the dispatch package is installed.

``civicloop`` is a namespace package spread over services/*/src; adding services/dispatch/src
to sys.path lets the tests import ``civicloop.dispatch`` from the source tree. Once the package
is installed (pip install -e services/dispatch) this is harmless: the path is already there.
"""

from __future__ import annotations

import sys
from pathlib import Path

_SRC = str(Path(__file__).resolve().parents[1] / "src")
if _SRC not in sys.path:
    sys.path.insert(0, _SRC)
