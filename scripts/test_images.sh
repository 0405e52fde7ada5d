#!/usr/bin/env bash
# Build the RabbitMQ, PostgreSQL and Redis images the integration suite's testcontainers mode
# uses on a machine that cannot pull from a registry (rootful podman, local Debian base; see
# README "Tests"). Usage: scripts/test_images.sh [BASE_IMAGE]
set -euo pipefail
cd "$(dirname "$0")/.."
base=${1:-localhost/debian-base:bookworm}
for server in rabbitmq postgres redis; do
  podman build -q --build-arg BASE_IMAGE="$base" -f "deploy/test-images/$server.Containerfile" \
    -t "localhost/civicloop-test/$server:dev" deploy/test-images >/dev/null
  echo "built localhost/civicloop-test/$server:dev"
done
