"""civicloop-verify installs on its own: its code imports only the standard library,
cryptography and itself (and pypdf, its `pdf` extra, to read a printed credential), and
civicloop.tlog does no I/O at all."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

SOURCE = Path(__file__).parents[2] / "src" / "civicloop"
# What civicloop.tlog may not touch: files, sockets, processes, clocks of the outside world.
IO_MODULES = {"os", "io", "pathlib", "socket", "urllib", "http", "subprocess", "shutil", "time"}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


MODULES = sorted(SOURCE.glob("*/*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_imports_only_the_standard_library_cryptography_and_itself(path: Path) -> None:
    for name in _imports(path):
        top = name.split(".")[0]
        if top == "civicloop":
            assert name.startswith(("civicloop.tlog", "civicloop.verify")), name
        elif top == "pypdf":
            # The `pdf` extra, imported only when a printed credential is read.
            assert path.name == "printed.py", name
        else:
            assert top in sys.stdlib_module_names or top == "cryptography", name


@pytest.mark.parametrize(
    "path", [p for p in MODULES if p.parent.name == "tlog"], ids=lambda p: p.name
)
def test_the_log_math_does_no_io(path: Path) -> None:
    assert not {name.split(".")[0] for name in _imports(path)} & IO_MODULES
    assert "open(" not in path.read_text().replace("open_note(", "").replace("open_checkpoint(", "")
