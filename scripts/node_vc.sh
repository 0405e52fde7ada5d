#!/usr/bin/env bash
# Digital Bazaar's VC verifier for the credential test (tests/integration/node_vc): installs the
# exact versions its package.json names with npm, without a lock file, when missing or changed.
set -euo pipefail
cd "$(dirname "$0")/../tests/integration/node_vc"
command -v node >/dev/null && command -v npm >/dev/null || {
  echo "node_vc: node and npm are needed (Debian: apt-get install nodejs npm)" >&2
  exit 1
}
stamp=node_modules/.civicloop-installed
want=$(sha256sum package.json | cut -c1-16)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
if ! log=$(npm install --no-package-lock --no-audit --no-fund --omit=dev 2>&1); then
  echo "$log" >&2
  exit 1
fi
echo "$want" > "$stamp"
echo "node_vc: installed $(node -p "Object.entries(require('./package.json').dependencies).map(([n, v]) => n + '@' + v).join(' ')")"
