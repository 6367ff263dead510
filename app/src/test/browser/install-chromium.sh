#!/usr/bin/env bash
# Installs Debian's chromium and chromium-driver for the web page's browser test (WebPageTest).
# It never fails the build: where it cannot install them (not root, no apt, no network) it says why and
# exits 0, and the test then skips itself with a message.
set -u

have() { command -v "$1" >/dev/null 2>&1; }

if have chromium && have chromedriver; then
  echo "browser test: chromium and chromedriver present ($(chromedriver --version 2>/dev/null | cut -d' ' -f1-2))"
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "browser test: chromium is not installed and this is not root: WebPageTest's browser part will be skipped" \
       "(run: sudo apt-get install chromium chromium-driver)"
  exit 0
fi
if ! have apt-get; then
  echo "browser test: no apt-get on this machine: WebPageTest's browser part will be skipped"
  exit 0
fi

log=$(mktemp)
export DEBIAN_FRONTEND=noninteractive
echo "browser test: installing Debian's chromium and chromium-driver ..."
# Bounded: an unreachable mirror must not hold CI up for long. A stale package list is refreshed once.
if timeout 600 apt-get install -y -q chromium chromium-driver >"$log" 2>&1 \
   || { timeout 300 apt-get update -q >>"$log" 2>&1 && timeout 600 apt-get install -y -q chromium chromium-driver >>"$log" 2>&1; }; then
  echo "browser test: installed $(chromium --version 2>/dev/null | head -n1)"
else
  echo "browser test: could not install chromium (apt-get failed; last lines below): WebPageTest's browser part will be skipped"
  tail -n 5 "$log"
fi
rm -f "$log"
exit 0
