#!/usr/bin/env bash
# Generate civicloop.v1 (messages, .pyi stubs, gRPC stubs with typed .pyi) from proto/.
# The proto tree equals the Python package tree (proto/civicloop/v1 -> civicloop.v1), so
# protoc's absolute imports resolve. Usage: scripts/gen_proto.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-services/common/src}"
bin=.venv/bin
rm -f "$out"/civicloop/v1/*_pb2*.py "$out"/civicloop/v1/*_pb2*.pyi
mkdir -p "$out/civicloop/v1"
{
  "$bin/python" -m grpc_tools.protoc -Iproto \
    --plugin=protoc-gen-mypy_grpc="$bin/protoc-gen-mypy_grpc" \
    --python_out="$out" --pyi_out="$out" --grpc_python_out="$out" --mypy_grpc_out="$out" \
    proto/civicloop/v1/*.proto
} 2>&1 | { grep -v '^Writing mypy' || true; }
