#!/usr/bin/env bash
# Create .venv and install every service (editable) and the development tools, pinned by
# constraints.txt. Re-runs only when the pins or a pyproject.toml change.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python3.11}
command -v "$python" >/dev/null || python=python3
stamp=.venv/.installed
want=$(cat constraints.txt requirements-dev.txt services/*/pyproject.toml | sha256sum | cut -c1-16)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
[ -x .venv/bin/python ] || "$python" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip 2>/dev/null
editables=()
for dir in services/common services/*/; do
  dir=${dir%/}
  [ -f "$dir/pyproject.toml" ] || continue
  case " ${editables[*]-} " in *" -e $dir "*) continue ;; esac
  editables+=(-e "$dir")
done
# compat mode puts each src/ on sys.path, so the civicloop namespace spans all packages
# PIP_CONSTRAINT pins the build back-end (setuptools) inside pip's isolated builds as well.
if ! log=$(PIP_CONSTRAINT=constraints.txt .venv/bin/python -m pip install -q \
    --config-settings editable_mode=compat "${editables[@]}" -r requirements-dev.txt 2>&1); then
  echo "$log" >&2
  exit 1
fi
echo "$want" > "$stamp"
echo "installed: ${editables[*]}"
