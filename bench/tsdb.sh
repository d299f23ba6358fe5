#!/usr/bin/env bash
# TSDB benchmark: Capstan's TSDB node and influxd 1.6.7 (Debian package `influxdb`) side by
# side, same machine, same client, same run. Prints a table and Capstan/influxd ratios; paste
# it into docs/BENCHMARKS.md with the date and the machine.
#
#   bench/tsdb.sh [POINTS_PER_LAYOUT] [CONNECTIONS]     defaults: 1000000 2
#
# TSDB_BENCH_LAYOUTS="regular" ingests only the layouts named (default: regular quality many);
# the queries need "regular". For iterating on one part; record only full runs.
# CAPSTAN_JAVA_OPTS adds JVM flags to Capstan's node (e.g. a JFR recording, -XX:+UseParallelGC).
# TSDB_BENCH_ROUNDS=3: ingest rounds per layout and peer, each into a fresh database, the peers
# alternating and taking turns going first; the table gives the median round. One round on a
# quiet machine moved by 30 % from run to run (JIT, GC and page-cache timing), the median of three
# much less. The server's CPU per point (user + system from /proc/<pid>/stat, over the round) is
# the steadiest measure of each server's own work: it does not depend on what else the machine runs.
# The log also gives, per round, the part of Capstan's CPU its JIT compiler threads used (C1/C2
# CompilerThread in /proc/<pid>/task): 0.25-0.9 µs/point in the first regular rounds after the
# warm-up in November 2026, which is compiling still going on, not work per point; influxd has none.
# Warm-up (not measured, both peers alike): TSDB_BENCH_WARMUP_POINTS (500000) points of every
# layout, then before each layout's rounds passes of that size into fresh databases until Capstan's
# JIT threads used at most TSDB_BENCH_WARMUP_JIT_SHARE (0.10) of its CPU in a pass, at most
# TSDB_BENCH_WARMUP_MAX_PASSES (5); see warm_until_idle below. The log shows each pass.
#
# Measures, per series layout (see TsdbBench): ingest points/s over HTTP with batches of 5,000;
# bytes on disk per point once both have moved their writes from the WAL to their column/TSM
# files; and the latency of typical queries over 1M points (layout regular).
set -Eeuo pipefail
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
POINTS=${1:-1000000}
CONNECTIONS=${2:-2}
ROUNDS=${TSDB_BENCH_ROUNDS:-3}
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || { echo "TSDB_BENCH_ROUNDS must be a positive integer, was '$ROUNDS'" >&2; exit 2; }
LAYOUTS=(${TSDB_BENCH_LAYOUTS:-regular quality many})
[[ " ${LAYOUTS[*]} " == *" regular "* ]] || { echo "TSDB_BENCH_LAYOUTS must include regular (the queries run on it)" >&2; exit 2; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/capstan-bench-tsdb.XXXXXX")
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

say() { printf '==> %s\n' "$*" >&2; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_ping() {
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$1/ping" >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "no answer on port $1 (see $WORK/*.log)" >&2; exit 1
}
command -v influxd >/dev/null || { echo "influxd is missing: apt-get install influxdb" >&2; exit 1; }

say "building Capstan's data plane and the load generator"
(cd "$ROOT" && ./mvnw -B -q -ntp -DskipTests -DskipE2E -pl dataplane,bench -am package)
(cd "$ROOT" && ./mvnw -B -q -ntp -pl bench dependency:build-classpath -Dmdep.outputFile="$WORK/cp.txt" >/dev/null)
BENCH=(java -cp "$ROOT/bench/target/classes:$(cat "$WORK/cp.txt")" dev.capstan.bench.tsdb.TsdbBench)

INFLUX_PORT=$(free_port); RPC_PORT=$(free_port); CAPSTAN_PORT=$(free_port)
mkdir -p "$WORK/influxd" "$WORK/capstan/data"
sed -e "s#@DIR@#$WORK/influxd#; s#@RPC_PORT@#$RPC_PORT#; s#@HTTP_PORT@#$INFLUX_PORT#" \
  "$ROOT/bench/influxd.conf.template" > "$WORK/influxd/influxd.conf"
cat > "$WORK/capstan/tsdb.yaml" <<YAML
httpPort: $CAPSTAN_PORT
replicationFactor: 1
authEnabled: false
databases: []
YAML

say "starting influxd $(influxd version 2>/dev/null | awk '{print $2}') on :$INFLUX_PORT and Capstan on :$CAPSTAN_PORT"
influxd -config "$WORK/influxd/influxd.conf" >"$WORK/influxd.log" 2>&1 & INFLUX_PID=$!; PIDS+=($INFLUX_PID)
start_capstan() {
  # shellcheck disable=SC2086 # word splitting of the flags is wanted
  java ${CAPSTAN_JAVA_OPTS:-} -jar "$ROOT/dataplane/target/capstan-dataplane.jar" tsdb --config "$WORK/capstan/tsdb.yaml" \
    --data "$WORK/capstan/data" --admin-bind 127.0.0.1:0 >>"$WORK/capstan.log" 2>&1 &
  CAPSTAN_PID=$!; PIDS+=($CAPSTAN_PID)
}
start_capstan
wait_ping "$INFLUX_PORT"; wait_ping "$CAPSTAN_PORT"

# CPU time (user + system) a process has used so far, in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# The same for the process' JIT compiler threads only (0 for a process without them).
jit_ticks() { cat /proc/"$1"/task/*/stat 2>/dev/null | awk '/\(C[12] CompilerThre/ {n = split($0, f, ") "); split(f[n], g, " "); s += g[12] + g[13]} END {print s + 0}'; }
TICKS_PER_S=$(getconf CLK_TCK)
median() { python3 -c 'import statistics,sys; print(statistics.median(float(x) for x in sys.argv[1:]))' "$@"; }
# Clock ticks as µs per point: us_per_point TICKS POINTS
us_per_point() { python3 -c "print(f'{$1 * 1e6 / $TICKS_PER_S / $2:.3f}')"; }

# Both servers first take WARMUP_POINTS points of every layout into scratch databases: Capstan runs
# on a JVM, whose JIT compiles the hot paths during the first seconds of load, and compiles them
# again (seconds of CPU on a 2-core box) when a new layout brings new types to them, e.g. the
# integer field of "quality". Measuring that would time the compiler, not the server.
WARMUP_POINTS=${TSDB_BENCH_WARMUP_POINTS:-500000}
WARMUP_MAX_PASSES=${TSDB_BENCH_WARMUP_MAX_PASSES:-5}
WARMUP_JIT_SHARE=${TSDB_BENCH_WARMUP_JIT_SHARE:-0.10}
[[ $WARMUP_POINTS =~ ^[1-9][0-9]*$ ]] || { echo "TSDB_BENCH_WARMUP_POINTS must be a positive integer, was '$WARMUP_POINTS'" >&2; exit 2; }
[[ $WARMUP_MAX_PASSES =~ ^[0-9]+$ ]] || { echo "TSDB_BENCH_WARMUP_MAX_PASSES must be a number, was '$WARMUP_MAX_PASSES'" >&2; exit 2; }
for peer in influxd capstan; do
  port=$INFLUX_PORT; [[ $peer == capstan ]] && port=$CAPSTAN_PORT
  for layout in regular quality many; do
    say "warm-up: $WARMUP_POINTS points of $layout into $peer (not measured)"
    "${BENCH[@]}" ingest "http://127.0.0.1:$port" "warmup_$layout" "$layout" "$WARMUP_POINTS" "$CONNECTIONS" >/dev/null
  done
done

# That one pass per layout was not enough: every round writes a fresh database, whose first batches
# take branches the steady state does not (new series, a new shard, index maps growing), and the
# JIT compiled paths again inside the measured rounds, up to half of Capstan's CPU in a round
# (November 2026; an extra single pass per layout did not help). So right before a layout's rounds
# both peers take passes shaped like a round (WARMUP_POINTS points into a fresh database, influxd
# first) until Capstan's JIT compiler threads used at most WARMUP_JIT_SHARE of Capstan's CPU in the
# last pass, or WARMUP_MAX_PASSES passes were made (0: none). Both peers get the same passes:
# influxd, compiled ahead of time, gains nothing it lacked and loses nothing. The log prints every
# pass with both servers' CPU per point. The JIT does not go fully idle within a few passes: with
# fresh databases per pass it kept compiling a long tail of per-request and per-database code
# (Netty, index growth, shard creation: 85-105 compilations a pass, nearly all first ones) for
# 0.2-0.5 µs/point, 15-30 % of Capstan's CPU, through five and six passes of 500,000 points in
# November 2026 (a pass of "many" now and then spent 1.5 µs/point on it). So in practice all
# WARMUP_MAX_PASSES passes run; the share is there to stop early where the JIT does go quiet.
warm_until_idle() {
  local layout=$1 pass peer port pid before jit_before cpu jit influxd_cpu
  for pass in $(seq 1 "$WARMUP_MAX_PASSES"); do
    for peer in influxd capstan; do
      port=$INFLUX_PORT; pid=$INFLUX_PID
      [[ $peer == capstan ]] && { port=$CAPSTAN_PORT; pid=$CAPSTAN_PID; }
      before=$(cpu_ticks "$pid"); jit_before=$(jit_ticks "$pid")
      "${BENCH[@]}" ingest "http://127.0.0.1:$port" "warmup_${layout}_p$pass" "$layout" "$WARMUP_POINTS" "$CONNECTIONS" >/dev/null
      cpu=$(( $(cpu_ticks "$pid") - before )); jit=$(( $(jit_ticks "$pid") - jit_before ))
      [[ $peer == influxd ]] && influxd_cpu=$cpu
    done
    say "warm-up pass $pass/$WARMUP_MAX_PASSES of $layout ($WARMUP_POINTS points each, not measured): server CPU µs/point influxd $(us_per_point "$influxd_cpu" "$WARMUP_POINTS"), Capstan $(us_per_point "$cpu" "$WARMUP_POINTS") of which JIT compiler threads $(us_per_point "$jit" "$WARMUP_POINTS")"
    python3 -c "import sys; sys.exit(0 if $jit <= $WARMUP_JIT_SHARE * $cpu else 1)" && return 0
  done
  ((WARMUP_MAX_PASSES == 0)) || say "warm-up of $layout: Capstan's JIT threads still above $WARMUP_JIT_SHARE of its CPU after $WARMUP_MAX_PASSES passes; measuring anyway"
}

declare -A RESULT
for layout in "${LAYOUTS[@]}"; do
  warm_until_idle "$layout"
  declare -A RATES=() CPUS=() JITS=()
  for round in $(seq 1 "$ROUNDS"); do
    # Round 1 writes the database the sizes and queries below read; later rounds write fresh ones.
    db=bench_$layout; ((round > 1)) && db=bench_${layout}_r$round
    order=(influxd capstan); ((round % 2 == 0)) && order=(capstan influxd)
    for peer in "${order[@]}"; do
      port=$INFLUX_PORT; pid=$INFLUX_PID
      [[ $peer == capstan ]] && { port=$CAPSTAN_PORT; pid=$CAPSTAN_PID; }
      say "ingest $layout round $round/$ROUNDS ($POINTS points, $CONNECTIONS connections) into $peer"
      before=$(cpu_ticks "$pid"); jit_before=$(jit_ticks "$pid")
      line=$("${BENCH[@]}" ingest "http://127.0.0.1:$port" "$db" "$layout" "$POINTS" "$CONNECTIONS")
      after=$(cpu_ticks "$pid"); jit_after=$(jit_ticks "$pid")
      JITS[$peer]+=" $(python3 -c "print(f'{($jit_after - $jit_before) * 1e6 / $TICKS_PER_S / $POINTS:.3f}')")"
      RATES[$peer]+=" $(sed -n 's/.*points_per_s=\([0-9]*\).*/\1/p' <<<"$line")"
      CPUS[$peer]+=" $(python3 -c "print(f'{($after - $before) * 1e6 / $TICKS_PER_S / $POINTS:.3f}')")"
    done
  done
  for peer in influxd capstan; do
    say "$layout $peer: points/s per round:${RATES[$peer]}; server CPU µs/point per round:${CPUS[$peer]} (of which JIT compiler threads:${JITS[$peer]})"
    # shellcheck disable=SC2086 # one word per round
    RESULT[$peer,$layout,ingest]=$(median ${RATES[$peer]} | cut -d. -f1)
    # shellcheck disable=SC2086
    RESULT[$peer,$layout,cpu]=$(python3 -c "print(f'{$(median ${CPUS[$peer]}):.2f}')")
  done
  unset RATES CPUS JITS
done

say "moving writes out of the WALs: influxd snapshots its cache 2 s after writes stop; Capstan flushes on a clean stop"
kill "$CAPSTAN_PID"; wait "$CAPSTAN_PID" 2>/dev/null || true
sleep 15
start_capstan; wait_ping "$CAPSTAN_PORT"
# The restarted JVM is cold again: TsdbBench runs each query unmeasured first (10 runs and 3 s).
for layout in "${LAYOUTS[@]}"; do
  # Data files only: influxd's TSM files, Capstan's column files (.tsf); not indexes or WALs.
  RESULT[influxd,$layout,bytes]=$(find "$WORK/influxd/data/bench_$layout" -name '*.tsm' -printf '%s\n' | awk '{s+=$1} END {print s+0}')
  RESULT[capstan,$layout,bytes]=$(find "$WORK/capstan/data" -path "*/bench_$layout/*" -name '*.tsf' -printf '%s\n' | awk '{s+=$1} END {print s+0}')
done

for peer in influxd capstan; do
  port=$INFLUX_PORT; [[ $peer == capstan ]] && port=$CAPSTAN_PORT
  say "queries on $peer"
  while read -r line; do
    name=$(sed -n 's/.*name=\([a-z0-9_]*\).*/\1/p' <<<"$line")
    RESULT[$peer,q,$name]=$(sed -n 's/.*p50_ms=\([0-9.]*\).*/\1/p' <<<"$line")
  done < <("${BENCH[@]}" query "http://127.0.0.1:$port" bench_regular 20)
done

printf '\n| measure | influxd 1.6.7 | Capstan | Capstan / influxd |\n| --- | ---: | ---: | ---: |\n'
ratio() { python3 -c "a,b=float('$1' or 0),float('$2' or 0); print(f'{b/a:.2f}' if a else 'n/a')"; }
for layout in "${LAYOUTS[@]}"; do
  a=${RESULT[influxd,$layout,ingest]}; b=${RESULT[capstan,$layout,ingest]}
  printf '| ingest %s, points/s (median of %s) | %s | %s | %s× |\n' "$layout" "$ROUNDS" "$a" "$b" "$(ratio "$a" "$b")"
done
for layout in "${LAYOUTS[@]}"; do
  a=${RESULT[influxd,$layout,cpu]}; b=${RESULT[capstan,$layout,cpu]}
  printf '| ingest %s, server CPU µs/point (median of %s) | %s | %s | %s× |\n' "$layout" "$ROUNDS" "$a" "$b" "$(ratio "$a" "$b")"
done
for layout in "${LAYOUTS[@]}"; do
  a=$(python3 -c "print(f'{${RESULT[influxd,$layout,bytes]}/$POINTS:.3f}')"); b=$(python3 -c "print(f'{${RESULT[capstan,$layout,bytes]}/$POINTS:.3f}')")
  printf '| data files, %s, bytes/point | %s | %s | %s× |\n' "$layout" "$a" "$b" "$(ratio "$a" "$b")"
done
for q in group_by_time_1h_all_series group_by_time_10m_per_series last_value_per_series one_series_raw_1h; do
  a=${RESULT[influxd,q,$q]:-}; b=${RESULT[capstan,q,$q]:-}
  printf '| query %s, p50 ms | %s | %s | %s× |\n' "$q" "$a" "$b" "$(ratio "$a" "$b")"
done
