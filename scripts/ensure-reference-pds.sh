#!/bin/sh
# Makes the reference PDS (@atproto/pds, a devDependency) runnable for the interop tests
# (test/helpers/reference-pds.ts): it runs under Node 22 from the npm `node` package, and its
# SQLite addon (better-sqlite3) must be compiled for that Node. Bun does not run better-sqlite3's
# install script (it would download a prebuilt binary, which this network refuses, and target the
# system Node), so it is built here once with node-gyp against the headers the `node` package ships.
# Quick when already built. Exits non-zero with a message when the build fails.
set -e
cd "$(dirname "$0")/.."
node22="node_modules/.bin/node"
if [ ! -x "$node22" ] || [ ! -d node_modules/@atproto/pds ]; then
  echo "pds: the reference PDS is not installed (run bun install without --production)" >&2
  exit 1
fi
if "$node22" -e "new (require('better-sqlite3'))(':memory:').close()" >/dev/null 2>&1; then
  exit 0
fi
# the `node` package installs the platform's node-<os>-<arch> package, headers included
nodedir=""
for d in node_modules/node/node_modules/node-*/include/node; do [ -d "$d" ] && nodedir="$(cd "$d/../.." && pwd)"; done
[ -n "$nodedir" ] || { echo "pds: no Node headers found under node_modules/node" >&2; exit 1; }
echo "pds: building better-sqlite3 for $("$node22" --version) (the reference PDS's SQLite addon; once, about 2 minutes)" >&2
log="node_modules/.better-sqlite3-build.log"
# Under `npm test`, npm exports its own `nodedir` setting (npm_config_nodedir, e.g. the system Node's
# headers) and node-gyp prefers it to --nodedir: drop it so the addon targets Node 22.
if ! (cd node_modules/better-sqlite3 && env -u npm_config_nodedir -u NPM_CONFIG_NODEDIR "../../$node22" ../node-gyp/bin/node-gyp.js rebuild --release --nodedir="$nodedir" -j 2) >"$log" 2>&1; then
  tail -20 "$log" >&2
  echo "pds: building better-sqlite3 failed (needs python3, make and a C++ compiler); full log in $log" >&2
  exit 1
fi
"$node22" -e "new (require('better-sqlite3'))(':memory:').close()"
