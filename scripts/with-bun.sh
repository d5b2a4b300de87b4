#!/bin/sh
# Runs `bun <args>`, installing Bun through npm first when it is missing (a fresh machine has Node and npm only).
set -e
if ! command -v bun >/dev/null 2>&1; then
  if [ -x "$HOME/.cache/pds-bun/node_modules/.bin/bun" ]; then
    PATH="$HOME/.cache/pds-bun/node_modules/.bin:$PATH"
  else
    echo "pds: Bun not found; installing it with npm" >&2
    npm install -g bun >&2 || npm install --prefix "$HOME/.cache/pds-bun" bun >&2
    PATH="$HOME/.cache/pds-bun/node_modules/.bin:$PATH"
  fi
  export PATH
fi
exec bun "$@"
