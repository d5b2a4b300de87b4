#!/bin/sh
# Builds the single `pds` executable from this checkout and installs it.
# Run ./install.sh --help for usage.
set -eu

usage() {
  cat <<EOF
Usage: ./install.sh [--systemd] [--prefix DIR] [--data-dir DIR] [--binary FILE] [--help]

Builds dist/pds from this source tree and installs it as \$PREFIX/bin/pds.

  --prefix DIR     install into DIR/bin (default: \${PREFIX:-/usr/local})
  --systemd        also install the service with \`pds install-service\` (hardened
                   systemd unit running as user "pds", sample Caddyfile for TLS)
  --data-dir DIR   data directory for the service (default: \${PDS_DATA_DIRECTORY:-/pds})
  --binary FILE    install this already built pds (e.g. a release) instead of building
  -h, --help       show this help

Steps: installs Bun with \`npm i -g bun\` when it is missing, then runs
\`bun install --frozen-lockfile\` and \`bun run build\`, then copies dist/pds.
With --systemd: runs \`pds init --data-dir DIR\` first when DIR/pds.env does not
exist yet (its questions need a terminal), writes the unit with
\`pds install-service\`, creates the "pds" system user, and enables and starts
the service. Nothing is enabled or started when systemd is not running.

The binary embeds sharp/libvips for linux-x64 (glibc) only; it needs libstdc++
on the target machine and unpacks its native libraries to \$XDG_CACHE_HOME/pds,
~/.cache/pds or \$PDS_NATIVE_CACHE_DIR at first use.
EOF
}

prefix="${PREFIX:-/usr/local}"
data_dir="${PDS_DATA_DIRECTORY:-/pds}"
with_systemd=0
binary=""
service_user=pds
unit_dir="${PDS_SYSTEMD_UNIT_DIR:-/etc/systemd/system}" # overridable for tests
caddyfile="${PDS_CADDYFILE:-/etc/caddy/Caddyfile.pds}"  # overridable for tests

while [ $# -gt 0 ]; do
  case "$1" in
    -h | --help) usage; exit 0 ;;
    --systemd) with_systemd=1 ;;
    --prefix) [ $# -ge 2 ] || { echo "install.sh: --prefix needs a value" >&2; exit 2; }; prefix="$2"; shift ;;
    --prefix=*) prefix="${1#--prefix=}" ;;
    --data-dir) [ $# -ge 2 ] || { echo "install.sh: --data-dir needs a value" >&2; exit 2; }; data_dir="$2"; shift ;;
    --data-dir=*) data_dir="${1#--data-dir=}" ;;
    --binary) [ $# -ge 2 ] || { echo "install.sh: --binary needs a value" >&2; exit 2; }; binary="$2"; shift ;;
    --binary=*) binary="${1#--binary=}" ;;
    *) echo "install.sh: unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

case "$data_dir" in
  *[[:space:]]*) echo "install.sh: --data-dir must not contain whitespace (it goes into a systemd unit)" >&2; exit 2 ;;
  /*) ;;
  *) echo "install.sh: --data-dir must be an absolute path (systemd requires it)" >&2; exit 2 ;;
esac

say() { printf '==> %s\n' "$*"; }

cd "$(dirname "$0")"

if [ -n "$binary" ]; then
  [ -x "$binary" ] || { echo "install.sh: --binary $binary is not an executable file" >&2; exit 2; }
else
  if ! command -v bun >/dev/null 2>&1; then
    command -v npm >/dev/null 2>&1 || { echo "install.sh: Bun is missing and npm is not available to install it" >&2; exit 1; }
    say "Bun not found; installing it with npm i -g bun"
    npm i -g bun
    command -v bun >/dev/null 2>&1 || { echo "install.sh: bun is still not on PATH after npm i -g bun" >&2; exit 1; }
  fi
  say "bun install --frozen-lockfile"
  bun install --frozen-lockfile
  say "bun run build"
  bun run build
  binary=dist/pds
fi

say "installing $prefix/bin/pds"
mkdir -p "$prefix/bin"
# Copy then rename so a running pds keeps its old inode instead of crashing mid-write.
cp "$binary" "$prefix/bin/.pds.new"
chmod 0755 "$prefix/bin/.pds.new"
mv -f "$prefix/bin/.pds.new" "$prefix/bin/pds"
"$prefix/bin/pds" --version >/dev/null

if [ "$with_systemd" = 1 ]; then
  pds="$prefix/bin/pds"
  if [ ! -f "$data_dir/pds.env" ]; then
    if [ -t 0 ]; then
      say "no $data_dir/pds.env yet: pds init"
      "$pds" init --data-dir "$data_dir"
    else
      echo "install.sh: $data_dir/pds.env does not exist; create it first: $pds init --yes --hostname <host> --data-dir $data_dir" >&2
      exit 3
    fi
  fi
  # One way to install the service: the hardened unit `pds install-service` writes (see its --help).
  say "pds install-service: $unit_dir/pds.service and $caddyfile"
  "$pds" install-service --data-dir "$data_dir" --user "$service_user" --binary "$pds" \
    --unit-path "$unit_dir/pds.service" --caddyfile "$caddyfile" --force
  if [ "$unit_dir" != /etc/systemd/system ]; then
    say "the unit went to $unit_dir, not /etc/systemd/system: nothing was enabled or started"
  elif command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    id -u "$service_user" >/dev/null 2>&1 || useradd --system --home-dir "$data_dir" --shell /usr/sbin/nologin "$service_user"
    chown -R "$service_user:$service_user" "$data_dir"
    chmod 0700 "$data_dir"
    systemctl daemon-reload
    systemctl enable pds.service
    say "restarting pds.service"
    systemctl restart pds.service
    say "TLS: add $caddyfile to Caddy (import it in /etc/caddy/Caddyfile) and reload Caddy"
  else
    say "systemd is not running here: the unit was written but nothing was enabled or started"
  fi
fi

say "done: $("$prefix/bin/pds" --version)"
