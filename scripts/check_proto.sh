#!/usr/bin/env bash
# Fail when the committed generated code differs from what `make proto` makes, lint the
# contracts, and refuse breaking changes against main (once main has contracts).
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
scripts/gen_proto.sh "$tmp"
if ! diff -r -x __init__.py -x py.typed -x __pycache__ "$tmp/civicloop/v1" services/common/src/civicloop/v1; then
  echo "generated code is stale: run 'make proto' and commit the result" >&2
  exit 1
fi
.venv/bin/buf lint
if git rev-parse --verify -q main >/dev/null && git ls-tree -r --name-only main -- proto | grep -q '\.proto$'; then
  .venv/bin/buf breaking --against '.git#branch=main'
fi
echo "contracts: generated code current, lint clean, no breaking change against main"
