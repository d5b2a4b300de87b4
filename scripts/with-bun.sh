#!/bin/sh
# Runs `bun <args>`, installing Bun through npm first when it is missing (a fresh machine has Node and npm only).
set -e
if ! command -v bun >/dev/null 2>&1; then
  local_bin="$HOME/.cache/pds-bun/node_modules/.bin"
  if [ ! -x "$local_bin/bun" ]; then
    echo "pds: Bun not found; installing it with npm" >&2
    if npm install -g bun >&2; then
      local_bin="$(npm prefix -g)/bin"
    else
      npm install --prefix "$HOME/.cache/pds-bun" bun >&2
    fi
  fi
  PATH="$local_bin:$PATH"
  export PATH
fi
exec bun "$@"
