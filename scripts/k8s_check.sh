#!/usr/bin/env bash
# Render every Kubernetes overlay with the pinned kubectl (kustomize) and validate the result
# offline against the Kubernetes OpenAPI schema, strictly (unknown fields are errors). The
# schema version follows the bundled kubectl's minor version, or the newest schema that
# kubernetes-validate ships when it has none for it. Then scripts/k8s_posture.py checks the
# posture the workloads keep (non-root, dropped capabilities, read-only root, gRPC probes,
# requests and limits, open ports), since most of it reaches a service through the shared
# patches in k8s/base. Prints one line per overlay.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.venv/bin
for tool in kubectl kubernetes-validate python; do
  [ -x "$bin/$tool" ] || { echo "k8s-check: $bin/$tool missing (run scripts/setup.sh)" >&2; exit 1; }
done

minor=$("$bin/kubectl" version --client -o json \
  | "$bin/python" -c 'import json, sys; v = json.load(sys.stdin)["clientVersion"]; print(v["major"] + "." + v["minor"].rstrip("+"))')
version=$("$bin/python" - "$minor" <<'PY'
import sys
import kubernetes_validate.utils as u
want = sys.argv[1] + ".0"
print(want if want in u.all_versions() else u.latest_version())
PY
)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
for dir in k8s/overlays/*/; do
  name=$(basename "$dir")
  rendered="$tmp/$name.yaml"
  if ! "$bin/kubectl" kustomize "$dir" >"$rendered" 2>"$tmp/$name.err"; then
    echo "k8s-check: $name FAILED to render:" >&2
    cat "$tmp/$name.err" >&2
    status=1
    continue
  fi
  resources=$(grep -c '^kind: ' "$rendered" || true)
  # --quiet prints only failures (ERROR) and resources it could not check (WARN): both fail.
  if report=$("$bin/kubernetes-validate" --strict --quiet -k "$version" - <"$rendered" 2>&1) \
      && [ -z "$report" ] \
      && report=$("$bin/python" scripts/k8s_posture.py "$rendered" 2>&1); then
    echo "k8s-check: $name ok ($resources resources, Kubernetes $version schema, strict; posture)"
  else
    echo "k8s-check: $name FAILED ($resources resources, Kubernetes $version schema, strict):"
    echo "$report" | sed 's/^/  /'
    status=1
  fi
done
exit "$status"
