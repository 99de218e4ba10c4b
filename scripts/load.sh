#!/usr/bin/env bash
# Load test on loopback: /healthz (the bare endpoint), /api/ask and the LINE webhook under wrk,
# in one run, each at full speed and then at 80 % of its peak rate for p99 latency; then /api/ask
# while the plan is reindexed in a loop.
# Needs wrk (apt-get install wrk). Usage: scripts/load.sh [seconds per run, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."
dur=${1:-10}
command -v wrk >/dev/null || { echo "wrk not installed: apt-get install wrk" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$tmp"' EXIT
go build -o "$tmp/planbot" ./cmd/planbot
go build -o "$tmp/loadkit" ./scripts/loadkit
port=18480
fake=18481
"$tmp/loadkit" fakeline -addr 127.0.0.1:$fake &
"$tmp/loadkit" linebodies -secret load-test-secret -n $((dur * 40000)) -out "$tmp/line.bodies"
PLANBOT_DATA_DIR="$tmp/data" PLANBOT_ADDR=127.0.0.1:$port PLANBOT_RATE_LIMIT=0 PLANBOT_ADMIN_TOKEN=load-test-admin \
  LINE_CHANNEL_SECRET=load-test-secret LINE_CHANNEL_ACCESS_TOKEN=load-test-token LINE_API_BASE_URL=http://127.0.0.1:$fake \
  "$tmp/planbot" serve >"$tmp/serve.out" 2>"$tmp/serve.log" &
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
rss() { ps -o rss= -p "$(pgrep -f "$tmp/planbot serve")" | awk '{printf "%.0f MiB", $1/1024}'; }
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "resident memory at idle: $(rss)"
run() { # name, script args..., url
  local name=$1; shift
  wrk -t2 -c16 -d"${dur}s" --latency "$@" | tee "$tmp/$name.txt" | grep -E 'Requests/sec|Non-2xx|Socket errors|99%' | sed "s/^/$name: /"
}
run healthz "http://127.0.0.1:$port/healthz"
run ask -s scripts/ask.lua "http://127.0.0.1:$port"
line_status=$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$port/line/webhook")
if [ "$line_status" = 400 ]; then # enabled: an unsigned request is refused
  BODIES="$tmp/line.bodies" run line -s scripts/line.lua "http://127.0.0.1:$port/line/webhook"
  sleep 2 # let the workers finish the queue
  awk -v n="$(curl -s "http://127.0.0.1:$fake/loadkit/replies")" -v d="$dur" \
    'BEGIN {printf "line: replies sent to the LINE API: %d (%.0f/s); the rest were dropped with a full queue\n", n, n/d}'
  curl -s "http://127.0.0.1:$port/metrics" | grep '^planbot_dropped_events_total{channel="line"' | sed 's/^/line: /' || true
else
  echo "line: webhook not enabled (HTTP $line_status), skipped"; echo "Requests/sec: 0" >"$tmp/line.txt"
fi
echo "resident memory under load: $(rss)"
peak_h=$(awk '/Requests\/sec/ {print $2}' "$tmp/healthz.txt")
peak_a=$(awk '/Requests\/sec/ {print $2}' "$tmp/ask.txt")
peak_l=$(awk '/Requests\/sec/ {print $2}' "$tmp/line.txt")
awk -v a="$peak_a" -v h="$peak_h" -v l="$peak_l" 'BEGIN {printf "throughput ratio: ask/healthz %.0f %%, line/healthz %.0f %%\n", 100*a/h, 100*l/h}'
# p99 at 80 % of peak needs a constant-rate generator: wrk2's -R is not in Debian, so loadkit paces it.
# loadkit's Go client costs more CPU per request than wrk, and shares the cores with the service, so the
# peak it paces against is its own, measured first in a closed loop with wrk's 16 connections.
paced() { # name, loadkit args...
  local name=$1; shift
  "$tmp/loadkit" paced -url "http://127.0.0.1:$port" -peak 16 -seconds "$dur" "$@" | tee "$tmp/$name.peak"
  local rate
  rate=$(awk '{for (i = 1; i < NF; i++) if ($(i+1) == "req/s") printf "%d", $i * 0.8}' "$tmp/$name.peak")
  "$tmp/loadkit" paced -url "http://127.0.0.1:$port" -rate "$rate" -seconds "$dur" "$@"
}
paced ask
if [ "$line_status" = 400 ]; then # fresh event IDs, so none is a duplicate
  "$tmp/loadkit" linebodies -secret load-test-secret -first $((dur * 40000)) -n $((dur * 40000)) -out "$tmp/line.paced"
  paced line -bodies "$tmp/line.paced"
fi
# Reindex under load: /api/ask at full speed while an admin swaps between two plan versions.
plan=data/soma-gyozaisei-6-jisshi-keikaku.txt
sed '0,/ 財政課$/s// 財務課/' "$plan" >"$tmp/plan-b.txt"
(
  i=0; ok=0; end=$((SECONDS + dur))
  while [ $SECONDS -lt $end ]; do
    f=$plan; [ $((i % 2)) -eq 1 ] && f="$tmp/plan-b.txt"
    code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer load-test-admin' --data-binary "@$f" \
      "http://127.0.0.1:$port/admin/reindex")
    [ "$code" = 200 ] && ok=$((ok + 1)); i=$((i + 1))
  done
  echo "reindex: $ok of $i reindexes accepted during the run" >"$tmp/reindex.txt"
) &
run ask-reindex -s scripts/ask.lua "http://127.0.0.1:$port"
wait $!
cat "$tmp/reindex.txt"
echo "resident memory after the reindexes: $(rss)"
grep -c '"level":"ERROR"' "$tmp/serve.log" | sed 's/^/service error log lines: /' || true
