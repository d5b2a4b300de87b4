#!/bin/sh
# Makes sure headless Chromium is available for the OAuth browser test (test/e2e/oauth-browser.test.ts).
# On a fresh Debian machine, as root, installs Debian's `chromium` package. Never fails the run: when it
# cannot install, it says so and the browser test then fails with a message naming the missing binary.
have_chromium() {
  if [ -n "$PDS_CHROMIUM_PATH" ]; then [ -x "$PDS_CHROMIUM_PATH" ]; else [ -x /usr/bin/chromium ] || command -v chromium >/dev/null 2>&1; fi
}
have_chromium && exit 0
if [ -n "$PDS_CHROMIUM_PATH" ]; then
  echo "pds: PDS_CHROMIUM_PATH=$PDS_CHROMIUM_PATH is not an executable; the OAuth browser test will fail" >&2
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "pds: installing Debian's chromium for the browser tests (apt-get)" >&2
  apt-get update -qq >/dev/null 2>&1
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1
  have_chromium && exit 0
  echo "pds: could not install chromium with apt-get; the OAuth browser test will fail" >&2
  exit 0
fi
echo "pds: chromium not found and cannot be installed here (needs root and apt-get): run \`apt-get install chromium\` or set PDS_CHROMIUM_PATH; the OAuth browser test will fail" >&2
exit 0
