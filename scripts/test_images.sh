#!/usr/bin/env bash
# Build the RabbitMQ, PostgreSQL and Redis images the integration suite's testcontainers mode
# uses on a machine that cannot pull from a registry (rootful podman, local Debian base; see
# README "Tests"). Usage: scripts/test_images.sh [BASE_IMAGE]
set -euo pipefail
cd "$(dirname "$0")/.."
base=${1:-localhost/debian-base:bookworm}
if ! podman image exists "$base"; then
  # Nothing can be pulled: a minimal Debian from the mirror apt already uses.
  mirror=$({ cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null || true; } |
    awk '/^(URIs:|deb) / && $2 !~ /security/ { print $2; exit }')
  rootfs=$(mktemp -d)
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >/dev/null
  rm -f "$rootfs"/var/cache/apt/archives/*.deb
  tar -C "$rootfs" -c . | podman import -q - "$base" >/dev/null
  rm -rf "$rootfs"
  echo "built $base (debootstrap, minbase)"
fi
for server in rabbitmq postgres redis; do
  podman build -q --build-arg BASE_IMAGE="$base" -f "deploy/test-images/$server.Containerfile" \
    -t "localhost/civicloop-test/$server:dev" deploy/test-images >/dev/null
  echo "built localhost/civicloop-test/$server:dev"
done
