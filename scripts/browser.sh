#!/usr/bin/env bash
# The browser the rating page's test drives: Debian's chromium and chromium-driver, and a CJK
# font so the page's Chinese renders as characters rather than boxes. Installs only what is
# missing, through apt, and says what it installs; a browser from anywhere else is never used.
set -euo pipefail
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
fc-list :lang=zh 2>/dev/null | grep -q . || missing+=(fonts-noto-cjk)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null; then
  sudo=(sudo)
else
  echo "browser: ${missing[*]} missing and not root: apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "browser: installing ${missing[*]} (apt-get)"
if ! log=$("${sudo[@]}" apt-get update -qq 2>&1 &&
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      --no-install-recommends "${missing[@]}" 2>&1); then
  echo "$log" >&2
  exit 1
fi
echo "browser: $(chromium --version 2>/dev/null), $(chromedriver --version | cut -d' ' -f1-2)"
