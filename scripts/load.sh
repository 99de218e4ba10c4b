#!/usr/bin/env bash
# Load test on loopback, in three parts:
#  1. throughput: /healthz (the bare endpoint), /api/ask and the LINE webhook under wrk at full speed,
#     the service and wrk sharing all cores;
#  2. latency: p99 at 80 % of peak, open loop, with the service on CPU 0 and the generators (and the fake
#     LINE API) on CPU 1, as a generator on a second machine would be;
#  3. /api/ask under wrk while the plan is reindexed in a loop.
# Needs wrk (apt-get install wrk) and taskset (util-linux). Usage: scripts/load.sh [seconds per run, default 10]
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
base=http://127.0.0.1:$port
events=$((dur * 40000)) # webhook bodies per run, each with its own event ID
"$tmp/loadkit" linebodies -secret load-test-secret -n $events -out "$tmp/line.bodies"
"$tmp/loadkit" linebodies -secret load-test-secret -first $events -n $events -out "$tmp/line.paced"

gen="" # prefix that pins a generator (and the fake LINE API) to its CPU in part 2

start() { # prefix...: start the service and the fake LINE API
  $gen "$tmp/loadkit" fakeline -addr 127.0.0.1:$fake &
  PLANBOT_DATA_DIR="$tmp/data" PLANBOT_ADDR=127.0.0.1:$port PLANBOT_RATE_LIMIT=0 PLANBOT_ADMIN_TOKEN=load-test-admin \
    LINE_CHANNEL_SECRET=load-test-secret LINE_CHANNEL_ACCESS_TOKEN=load-test-token LINE_API_BASE_URL=http://127.0.0.1:$fake \
    "$@" "$tmp/planbot" serve >>"$tmp/serve.out" 2>>"$tmp/serve.log" &
  for _ in $(seq 100); do curl -sf "$base/readyz" >/dev/null && return; sleep 0.1; done
  echo "service did not start" >&2; exit 1
}
stop() { pkill -f "$tmp/planbot serve" || true; pkill -f "$tmp/loadkit fakeline" || true; sleep 0.5; }
rss() { ps -o rss= -p "$(pgrep -f "$tmp/planbot serve")" | awk '{printf "%.0f MiB", $1/1024}'; }
replies() { curl -s "http://127.0.0.1:$fake/loadkit/replies"; }
run() { # name, wrk args...: full speed, closed loop
  local name=$1; shift
  $wrk -c16 -d"${dur}s" --latency "$@" | tee "$tmp/$name.txt" | grep -E 'Requests/sec|Non-2xx|Socket errors|99%' | sed "s/^/$name: /"
}
peak() { awk '/Requests\/sec/ {print $2}' "$tmp/$1.txt"; }

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "== 1. throughput, service and wrk sharing the cores"
start
echo "resident memory at idle: $(rss)"
wrk="wrk -t2"
run healthz "$base/healthz"
run ask -s scripts/ask.lua "$base"
line_status=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$base/line/webhook")
[ "$line_status" = 400 ] || { echo "LINE webhook not enabled (HTTP $line_status)" >&2; exit 1; }
n0=$(replies)
BODIES="$tmp/line.bodies" THREADS=2 run line -s scripts/line.lua "$base/line/webhook"
sleep 2 # let the workers finish the queue
awk -v n="$(($(replies) - n0))" -v d="$dur" \
  'BEGIN {printf "line: replies sent to the LINE API: %d (%.0f/s); the rest were dropped with a full queue\n", n, n/d}'
curl -s "$base/metrics" | grep '^planbot_dropped_events_total{channel="line"' | sed 's/^/line: /' || true
echo "resident memory under load: $(rss)"
awk -v a="$(peak ask)" -v h="$(peak healthz)" -v l="$(peak line)" \
  'BEGIN {printf "throughput ratio: ask/healthz %.0f %%, line/healthz %.0f %%\n", 100*a/h, 100*l/h}'
stop

pinned=""
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then pinned="taskset -c 0"; gen="taskset -c 1"; fi
echo "== 2. p99 at 80 % of peak, open loop${pinned:+; service on CPU 0, generators on CPU 1}"
# wrk measures the peak (closed loop); loadkit paces at 80 % of it, as wrk2 would (not in Debian): each
# request is due at a fixed time and its latency counts from then, so a slow server cannot hide its tail.
start $pinned
wrk="$gen wrk -t1"
run ask-peak -s scripts/ask.lua "$base"
$gen "$tmp/loadkit" paced -url "$base" -rate "$(awk -v p="$(peak ask-peak)" 'BEGIN {printf "%d", 0.8 * p}')" -seconds "$dur"
# The webhook acknowledges far faster than it can answer (the rest is dropped): its peak is the rate of
# replies while wrk floods it, and the paced run sends 80 % of that, all of which should be answered.
n0=$(replies)
BODIES="$tmp/line.bodies" THREADS=1 run line-peak -s scripts/line.lua "$base/line/webhook"
sleep 2
answered=$(($(replies) - n0))
echo "line-peak: answered $((answered / dur))/s"
n0=$(replies)
$gen "$tmp/loadkit" paced -url "$base" -rate $((answered * 8 / 10 / dur)) -seconds "$dur" -bodies "$tmp/line.paced"
sleep 2
echo "line: replies during the paced run: $(($(replies) - n0))"
stop
gen=""

echo "== 3. reindex under load: /api/ask at full speed while an admin swaps two plan versions"
start
wrk="wrk -t2"
plan=data/soma-gyozaisei-6-jisshi-keikaku.txt
sed '0,/ 財政課$/s// 財務課/' "$plan" >"$tmp/plan-b.txt"
(
  i=0; ok=0; end=$((SECONDS + dur))
  while [ $SECONDS -lt $end ]; do
    f=$plan; [ $((i % 2)) -eq 1 ] && f="$tmp/plan-b.txt"
    code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer load-test-admin' --data-binary "@$f" \
      "$base/admin/reindex")
    [ "$code" = 200 ] && ok=$((ok + 1)); i=$((i + 1))
  done
  echo "reindex: $ok of $i reindexes accepted during the run" >"$tmp/reindex.txt"
) &
run ask-reindex -s scripts/ask.lua "$base"
wait $!
cat "$tmp/reindex.txt"
echo "resident memory after the reindexes: $(rss)"
stop
grep -c '"level":"ERROR"' "$tmp/serve.log" | sed 's/^/service error log lines: /' || true
