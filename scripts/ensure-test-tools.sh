#!/bin/sh
# Makes sure the programs some tests drive are present: headless Chromium (the OAuth pages,
# test/e2e/oauth-browser.test.ts), tmux (interactive `pds init`, test/cli/init-interactive.test.ts)
# strace (fsync before acknowledgement, test/e2e/durability-strace.test.ts) and promtool from Debian's
# prometheus package (the /metrics exposition, test/e2e/metrics.test.ts).
# On a fresh Debian machine, as root, installs them with apt-get. Never fails the run: when it cannot
# install, it says so and those tests then fail with a message naming what is missing.
have_chromium() {
  if [ -n "$PDS_CHROMIUM_PATH" ]; then [ -x "$PDS_CHROMIUM_PATH" ]; else [ -x /usr/bin/chromium ] || command -v chromium >/dev/null 2>&1; fi
}
missing=""
have_chromium || { [ -z "$PDS_CHROMIUM_PATH" ] && missing="$missing chromium"; }
command -v tmux >/dev/null 2>&1 || missing="$missing tmux"
command -v strace >/dev/null 2>&1 || missing="$missing strace"
command -v promtool >/dev/null 2>&1 || missing="$missing prometheus"
if [ -n "$PDS_CHROMIUM_PATH" ] && ! have_chromium; then
  echo "pds: PDS_CHROMIUM_PATH=$PDS_CHROMIUM_PATH is not an executable; the OAuth browser test will fail" >&2
fi
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "pds: installing$missing for the tests (apt-get)" >&2
  apt-get update -qq >/dev/null 2>&1
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null 2>&1 || echo "pds: apt-get could not install$missing; the tests that need them will fail" >&2
  exit 0
fi
echo "pds:$missing not found and cannot be installed here (needs root and apt-get): install them, or the tests that need them will fail" >&2
exit 0
