#!/usr/bin/env bash
# make bench: the same riffle-bench scenarios against Riffle (durable and
# --in-memory), kinesalite, kinesis-mock (npm kinesis-local) and nginx (a plain
# HTTP 200, the loopback ceiling), one server at a time, each on a free port.
# Writes docs/performance.md, docs/performance.png and docs/performance-results.jsonl.
#
# Knobs (environment): BENCH_DURATION (s per scenario, default 10),
# BENCH_SERVERS, BENCH_SCENARIOS, BENCH_PUT_CONNECTIONS (32), BENCH_BATCH_CONNECTIONS (4),
# BENCH_GET_CONNECTIONS (1), BENCH_PC_CONNECTIONS (16), BENCH_PREFILL_MIB (64), BENCH_RATE (1000), BENCH_SHARDS (4),
# BENCH_RECORD_SIZE (1024), BENCH_BATCH (500), BENCH_BIG_RECORD_SIZE (10240), BENCH_BIG_BATCH (100),
# BENCH_FANOUT_CONSUMERS (20), BENCH_FANOUT_SHARDS (5), BENCH_FANOUT_RATE (1024 records/s of BIG records:
# 10 MiB/s), BENCH_NOTE (free text for the doc),
# BENCH_OUT (output directory, default docs).
# Scenario produce-subscribe is `riffle-bench produce-consume --via subscribe`
# (SubscribeToShard); it is skipped for servers without SubscribeToShard.
# Scenario subscribe-fanout is `riffle-bench produce-consume --via subscribe --consumers N`: N registered
# consumers (AWS allows 20 per stream) each subscribed to every shard, under BENCH_FANOUT_RATE puts/s of
# BIG records.
# Before the servers, `dd` measures the disk's synced sequential write bandwidth (512 KiB writes,
# oflag=dsync, 1 GiB) where the durable server keeps its data: the PutRecords targets are a share of it.
# Scenario put-records-10k is `riffle-bench put-records` with the BIG record
# size and batch (100 x 10 KiB), on the put-records connections.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
BENCH="$BUILD/riffle-bench"
RIFFLE="$BUILD/riffle"
DURATION=${BENCH_DURATION:-10}
SERVERS=${BENCH_SERVERS:-"riffle riffle-mem kinesalite kinesis-mock nginx"}
SCENARIOS=${BENCH_SCENARIOS:-"put-record put-records put-records-10k get-records produce-consume produce-subscribe subscribe-fanout"}
PUT_CONNECTIONS=${BENCH_PUT_CONNECTIONS:-32}
BATCH_CONNECTIONS=${BENCH_BATCH_CONNECTIONS:-4}
GET_CONNECTIONS=${BENCH_GET_CONNECTIONS:-1}
PC_CONNECTIONS=${BENCH_PC_CONNECTIONS:-16}
PREFILL=${BENCH_PREFILL_MIB:-64}
RATE=${BENCH_RATE:-1000}
SHARDS=${BENCH_SHARDS:-4}
RECORD=${BENCH_RECORD_SIZE:-1024}
BATCH=${BENCH_BATCH:-500}
BIG_RECORD=${BENCH_BIG_RECORD_SIZE:-10240}
BIG_BATCH=${BENCH_BIG_BATCH:-100}
FANOUT_CONSUMERS=${BENCH_FANOUT_CONSUMERS:-20}
FANOUT_SHARDS=${BENCH_FANOUT_SHARDS:-5}
FANOUT_RATE=${BENCH_FANOUT_RATE:-1024}
OUT=${BENCH_OUT:-$ROOT/docs}
case "$OUT" in /*) ;; *) OUT="$ROOT/$OUT" ;; esac
NODE_MODULES="$ROOT/bench/node_modules"

WORK=$(mktemp -d /tmp/riffle-bench.XXXXXX)
RESULTS="$WORK/results.jsonl"
SERVERS_JSON="$WORK/servers.jsonl"
: >"$RESULTS"
: >"$SERVERS_JSON"
server_pid=""

stop_server() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
}
cleanup() {
  stop_server
  if [ -n "${KEEP_WORK:-}" ]; then echo "bench: work dir kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

# start_server NAME -> sets server_pid, port; appends a line to servers.jsonl
start_server() {
  local name=$1
  port=$(free_port)
  local cmd
  case "$name" in
    riffle) cmd=("$RIFFLE" serve --port "$port" --data-dir "$WORK/riffle-data" --log-level warn) ;;
    riffle-mem) cmd=("$RIFFLE" serve --port "$port" --in-memory --log-level warn) ;;
    kinesalite) cmd=(node "$NODE_MODULES/kinesalite/cli.js" --port "$port" --createStreamMs 0 --deleteStreamMs 0
                     --updateStreamMs 0 --shardLimit 1000) ;;
    kinesis-mock) cmd=(env -C "$NODE_MODULES/kinesis-local" KINESIS_MOCK_PLAIN_PORT="$port" KINESIS_MOCK_TLS_PORT="$(free_port)"
                       CREATE_STREAM_DURATION=0ms DELETE_STREAM_DURATION=0ms SHARD_LIMIT=1000 LOG_LEVEL=WARN
                       node main.js) ;;  # reads server.json from its cwd
    nginx)
      mkdir -p "$WORK/nginx"
      cat >"$WORK/nginx/nginx.conf" <<NGINX
worker_processes $(nproc);
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx/body;
  client_max_body_size 64m;
  keepalive_requests 100000000;
  keepalive_timeout 300s;
  server {
    listen 127.0.0.1:$port;
    location / { default_type application/x-amz-json-1.1; return 200 '{}'; }
  }
}
NGINX
      cmd=(/usr/sbin/nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log") ;;
  esac
  local launched
  if ! launched=$(python3 "$ROOT/bench/launch.py" "$port" "$WORK/$name.log" -- "${cmd[@]}"); then
    echo "bench: $name did not start: $launched"; tail -20 "$WORK/$name.log"; return 1
  fi
  server_pid=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["pid"])' "$launched")
  local ready_ms
  ready_ms=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["ready_ms"])' "$launched")
  sleep 1
  local idle
  idle=$(rss_kib "$server_pid")
  echo "bench: $name on port $port (pid $server_pid), first answer after ${ready_ms} ms, idle RSS ${idle} KiB"
  printf '{"label":"%s","ready_ms":%s,"idle_rss_kib":%s,"command":"%s"}\n' "$name" "$ready_ms" "$idle" \
    "$(echo "${cmd[*]}" | sed "s|$WORK|\$WORK|g; s|$ROOT/||g")" >>"$SERVERS_JSON"
}

run_scenario() {
  local name=$1 scenario=$2
  local record=$RECORD
  if [ "$scenario" = put-records-10k ] || [ "$scenario" = subscribe-fanout ]; then record=$BIG_RECORD; fi
  local args=(--endpoint "http://127.0.0.1:$port" --duration "$DURATION" --record-size "$record" --json --label "$name")
  case "$scenario" in
    put-record) args+=(--connections "$PUT_CONNECTIONS" --shards "$SHARDS") ;;
    put-records) args+=(--connections "$BATCH_CONNECTIONS" --shards "$SHARDS" --batch "$BATCH") ;;
    put-records-10k) args+=(--connections "$BATCH_CONNECTIONS" --shards "$SHARDS" --batch "$BIG_BATCH") ;;
    get-records) args+=(--connections "$GET_CONNECTIONS" --shards 1 --prefill-mib "$PREFILL") ;;
    produce-consume) args+=(--connections "$PC_CONNECTIONS" --shards "$SHARDS" --rate "$RATE") ;;
    produce-subscribe) args+=(--connections "$PC_CONNECTIONS" --shards "$SHARDS" --rate "$RATE" --via subscribe) ;;
    subscribe-fanout) args+=(--connections "$PUT_CONNECTIONS" --shards "$FANOUT_SHARDS" --rate "$FANOUT_RATE"
                             --via subscribe --consumers "$FANOUT_CONSUMERS") ;;
  esac
  local command=$scenario
  if [ "$scenario" = produce-subscribe ] || [ "$scenario" = subscribe-fanout ]; then command=produce-consume; fi
  if [ "$scenario" = put-records-10k ]; then command=put-records; fi
  if [ "$name" = nginx ]; then args+=(--no-setup); fi
  echo "bench: $name $scenario: riffle-bench $command ${args[*]}" | sed "s|$port|\$PORT|"
  local limit=$((${DURATION%.*} + 300))
  local line
  if line=$(timeout "$limit" "$BENCH" "$command" "${args[@]}" 2>"$WORK/bench-$name-$scenario.err"); then
    # riffle-bench names the command it ran; the report keys rows by scenario.
    echo "$line" | sed "s/\"scenario\":\"[a-z-]*\"/\"scenario\":\"$scenario\"/" >>"$RESULTS"
    tail -n 3 "$WORK/bench-$name-$scenario.err" | sed 's/^/    /'
  else
    echo "bench: $name $scenario failed (exit $?):"; tail -5 "$WORK/bench-$name-$scenario.err"
    printf '{"label":"%s","scenario":"%s","failed":true}\n' "$name" "$scenario" >>"$RESULTS"
  fi
}

[ -x "$BENCH" ] && [ -x "$RIFFLE" ] || { echo "bench: build first ($BENCH, $RIFFLE)"; exit 1; }
STARTED=$(date -u '+%Y-%m-%d %H:%M UTC')
# The disk's synced sequential write bandwidth, where the durable server writes ($WORK).
DISK_SYNC_MBPS=$(dd if=/dev/zero of="$WORK/dd-sync" bs=512K count=2048 oflag=dsync 2>&1 |
  sed -n 's/.* copied, \([0-9.]*\) s, .*/\1/p' | awk '{ if ($1 > 0) printf "%.1f", 1024 / $1 }') || true
rm -f "$WORK/dd-sync"
echo "bench: disk synced sequential writes (dd bs=512K oflag=dsync, 1 GiB): ${DISK_SYNC_MBPS:-?} MiB/s"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
for name in $SERVERS; do
  start_server "$name" || continue
  for scenario in $SCENARIOS; do
    if [ "$name" = nginx ] && { [ "$scenario" = get-records ] || [ "$scenario" = produce-consume ]; }; then continue; fi
    # kinesalite has no SubscribeToShard (nginx has no Kinesis at all).
    if { [ "$scenario" = produce-subscribe ] || [ "$scenario" = subscribe-fanout ]; } &&
       { [ "$name" = kinesalite ] || [ "$name" = nginx ]; }; then continue; fi
    run_scenario "$name" "$scenario"
  done
  after=$(rss_kib "$server_pid")
  echo "bench: $name RSS after its scenarios ${after} KiB"
  python3 - "$SERVERS_JSON" "$name" "$after" <<'PY'
import json, sys
path, name, after = sys.argv[1], sys.argv[2], int(sys.argv[3])
rows = [json.loads(l) for l in open(path)]
for r in rows:
    if r["label"] == name: r["after_rss_kib"] = after
open(path, "w").write("".join(json.dumps(r) + "\n" for r in rows))
PY
  stop_server
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# Microbenchmarks, briefly (the numbers are per call on this machine, under the same load).
MICRO="$WORK/micro.txt"
if [ -x "$BUILD/riffle-micro" ] && [ -z "${BENCH_NO_MICRO:-}" ]; then
  echo "bench: riffle-micro"
  "$BUILD/riffle-micro" --benchmark_min_time=0.2 2>/dev/null | grep -v '^\*\*\*' >"$MICRO" || true
  cat "$MICRO"
fi

mkdir -p "$OUT"
cp "$RESULTS" "$OUT/performance-results.jsonl"
cp "$SERVERS_JSON" "$OUT/performance-servers.jsonl"
python3 "$ROOT/bench/report.py" --results "$RESULTS" --servers "$SERVERS_JSON" --out "$OUT" \
  --started "$STARTED" --load-before "$LOAD_BEFORE" --load-after "$LOAD_AFTER" \
  --command "BENCH_DURATION=$DURATION BENCH_PUT_CONNECTIONS=$PUT_CONNECTIONS BENCH_BATCH_CONNECTIONS=$BATCH_CONNECTIONS BENCH_GET_CONNECTIONS=$GET_CONNECTIONS BENCH_PC_CONNECTIONS=$PC_CONNECTIONS BENCH_PREFILL_MIB=$PREFILL BENCH_RATE=$RATE BENCH_SHARDS=$SHARDS BENCH_RECORD_SIZE=$RECORD BENCH_BATCH=$BATCH BENCH_BIG_RECORD_SIZE=$BIG_RECORD BENCH_BIG_BATCH=$BIG_BATCH BENCH_FANOUT_CONSUMERS=$FANOUT_CONSUMERS BENCH_FANOUT_SHARDS=$FANOUT_SHARDS BENCH_FANOUT_RATE=$FANOUT_RATE bench/run.sh  (what make bench runs after building)" \
  --note "${BENCH_NOTE:-}" --micro "$MICRO" --disk-sync-mibps "${DISK_SYNC_MBPS:-0}"
echo "bench: wrote $OUT/performance.md"
