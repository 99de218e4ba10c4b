#!/bin/sh
# Installs planbot for deploy/planbot.service: the binary in PREFIX
# (/opt/planbot) and, beside it, the licences of the dictionaries embedded
# in it, which must ship with it (data/dict/README.md).
#
#   sudo deploy/install.sh                               # builds with go first
#   sudo PLANBOT_BIN=./planbot PREFIX=/srv/planbot deploy/install.sh
set -eu
cd "$(dirname "$0")/.."
prefix=${PREFIX:-/opt/planbot}
bin=${PLANBOT_BIN:-}
if [ -z "$bin" ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o "$tmp/planbot" ./cmd/planbot
  bin=$tmp/planbot
fi
install -d -m 0755 "$prefix"
install -m 0755 "$bin" "$prefix/planbot"
for f in data/dict/LICENSE-*.txt; do
  install -m 0644 "$f" "$prefix/"
done
install -m 0644 data/dict/README.md "$prefix/README-dict.md"
echo "installed $prefix/planbot and, beside it, the licences of its embedded data"
echo "next: cp deploy/planbot.service /etc/systemd/system/ && systemctl enable --now planbot"
