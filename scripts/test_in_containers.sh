#!/usr/bin/env bash
# The integration suite against RabbitMQ, PostgreSQL and Redis containers (testcontainers)
# instead of the machine's servers. With a Docker engine: DOCKER_HOST as usual and the
# official images. Here (rootful podman, no registry): builds the images from a local Debian
# base (scripts/test_images.sh) and serves podman's Docker-compatible API on a socket.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${DOCKER_HOST:-}" ] && ! command -v podman >/dev/null; then
  # No engine named and none installed: Debian's rootful podman (runc: crun fails on hybrid
  # cgroups), with buildah and debootstrap for the images built below.
  echo "test-containers: installing podman, buildah, debootstrap and runc from Debian" >&2
  packages=(podman buildah debootstrap runc)
  apt-get install -y -q "${packages[@]}" >/dev/null 2>&1 ||
    { apt-get update -q >/dev/null && apt-get install -y -q "${packages[@]}" >/dev/null; }
fi
if [ -z "${DOCKER_HOST:-}" ] && command -v podman >/dev/null; then
  export CONTAINERS_CONF=${CONTAINERS_CONF:-/tmp/civicloop-podman/containers.conf}
  if [ ! -f "$CONTAINERS_CONF" ]; then
    mkdir -p "$(dirname "$CONTAINERS_CONF")"
    printf '[containers]\ndefault_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]\n[engine]\nruntime = "runc"\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n' > "$CONTAINERS_CONF"
  fi
  socket=/tmp/civicloop-podman/podman.sock
  answers() { curl -sf --unix-socket "$socket" http://podman/_ping >/dev/null 2>&1; }
  if ! answers; then  # not started yet, or a socket file left by a service that is gone
    rm -f "$socket"
    podman system service --time=0 "unix://$socket" &
    for _ in $(seq 50); do answers && break; sleep 0.1; done
  fi
  export DOCKER_HOST=unix://$socket TESTCONTAINERS_RYUK_DISABLED=true \
    TESTCONTAINERS_CONNECTION_MODE=docker_host
  for server in rabbitmq postgres redis; do
    podman image exists "localhost/civicloop-test/$server:dev" || scripts/test_images.sh
  done
  export CIVICLOOP_RABBITMQ_IMAGE=localhost/civicloop-test/rabbitmq:dev \
    CIVICLOOP_POSTGRES_IMAGE=localhost/civicloop-test/postgres:dev \
    CIVICLOOP_REDIS_IMAGE=localhost/civicloop-test/redis:dev
fi
scripts/setup.sh
CIVICLOOP_TEST_INFRA=testcontainers .venv/bin/python -m pytest -p no:cacheprovider -q tests/integration "$@"
