#!/bin/sh
# Builds the single `pds` executable from this checkout and installs it.
# Run ./install.sh --help for usage.
set -eu

usage() {
  cat <<EOF
Usage: ./install.sh [--systemd] [--prefix DIR] [--data-dir DIR] [--help]

Builds dist/pds from this source tree and installs it as \$PREFIX/bin/pds.

  --prefix DIR     install into DIR/bin (default: \${PREFIX:-/usr/local})
  --systemd        also write /etc/systemd/system/pds.service running \`pds serve\`
  --data-dir DIR   data directory for the service (default: \${PDS_DATA_DIRECTORY:-/pds})
  -h, --help       show this help

Steps: installs Bun with \`npm i -g bun\` when it is missing, then runs
\`bun install --frozen-lockfile\` and \`bun run build\`, then copies dist/pds.
With --systemd the unit is enabled, and started only once DIR/pds.env exists
(create it with \`pds init --data-dir DIR\`). Nothing is started when systemctl
is absent.

The binary embeds sharp/libvips for linux-x64 (glibc) only; it needs libstdc++
on the target machine and unpacks its native libraries to \$XDG_CACHE_HOME/pds,
~/.cache/pds or \$PDS_NATIVE_CACHE_DIR at first use.
EOF
}

prefix="${PREFIX:-/usr/local}"
data_dir="${PDS_DATA_DIRECTORY:-/pds}"
with_systemd=0
unit_dir="${PDS_SYSTEMD_UNIT_DIR:-/etc/systemd/system}" # overridable for tests

while [ $# -gt 0 ]; do
  case "$1" in
    -h | --help) usage; exit 0 ;;
    --systemd) with_systemd=1 ;;
    --prefix) [ $# -ge 2 ] || { echo "install.sh: --prefix needs a value" >&2; exit 2; }; prefix="$2"; shift ;;
    --prefix=*) prefix="${1#--prefix=}" ;;
    --data-dir) [ $# -ge 2 ] || { echo "install.sh: --data-dir needs a value" >&2; exit 2; }; data_dir="$2"; shift ;;
    --data-dir=*) data_dir="${1#--data-dir=}" ;;
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

say "installing $prefix/bin/pds"
mkdir -p "$prefix/bin"
# Copy then rename so a running pds keeps its old inode instead of crashing mid-write.
cp dist/pds "$prefix/bin/.pds.new"
chmod 0755 "$prefix/bin/.pds.new"
mv -f "$prefix/bin/.pds.new" "$prefix/bin/pds"
"$prefix/bin/pds" --version >/dev/null

if [ "$with_systemd" = 1 ]; then
  unit="$unit_dir/pds.service"
  say "writing $unit (data directory $data_dir)"
  mkdir -p "$unit_dir" "$data_dir"
  chmod 0700 "$data_dir"
  cat >"$unit" <<EOF
[Unit]
Description=pds: AT Protocol Personal Data Server
Documentation=https://atproto.com
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
Environment=PDS_DATA_DIRECTORY=$data_dir
# sharp's native libraries are unpacked here at first use (systemd creates /var/cache/pds).
CacheDirectory=pds
Environment=PDS_NATIVE_CACHE_DIR=/var/cache/pds
# Written by \`pds init\`; the leading '-' lets the unit load before it exists.
EnvironmentFile=-$data_dir/pds.env
WorkingDirectory=$data_dir
ExecStart=$prefix/bin/pds serve
Restart=on-failure
RestartSec=5
NoNewPrivileges=yes
ProtectSystem=full
PrivateTmp=yes

[Install]
WantedBy=multi-user.target
EOF
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    systemctl daemon-reload
    systemctl enable pds.service
    if [ -f "$data_dir/pds.env" ]; then
      say "restarting pds.service"
      systemctl restart pds.service
    else
      say "not starting pds.service yet: run \`pds init --data-dir $data_dir\`, then \`systemctl start pds\`"
    fi
  else
    say "systemd is not running here: the unit was written but nothing was enabled or started"
  fi
fi

say "done: $("$prefix/bin/pds" --version)"
