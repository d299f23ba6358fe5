#!/usr/bin/env bash
# Broker benchmark: Capstan's broker and Apache Kafka (embedded KRaft node, same release as
# kafka-clients) side by side, same machine, same client, same settings, same run. Prints a
# table and Capstan/Kafka ratios; paste it into docs/BENCHMARKS.md with date and machine.
#
#   bench/broker.sh [COUNT] [RATE] [SECONDS]     defaults: 500000 records, 5000/s for 20 s
#   ROUNDS=3 (environment): throughput rounds per peer and record size
#   CAPSTAN_JAVA_OPTS (environment): extra JVM flags for Capstan's broker, e.g. -XX:+UseParallelGC
#   CAPSTAN_TOPIC_CONFIG (environment): configs of the topics made on Capstan's broker, name=value
#     pairs separated by commas, e.g. preallocate=true (zeros written ahead of the log end)
#   KAFKA_TOPIC_CONFIG (environment): the same for Kafka's topics (added to what DURABILITY sets)
#   DURABILITY="page-cache fsync" (environment): what an acks=all answer waits for, the same on
#     both brokers; each value is a separate run with its own table, both brokers started afresh:
#       page-cache  the records are in the page cache: Kafka's default (no flush.messages), Capstan
#                   with durability: PageCache (its broker syncs every second)
#       fsync       the partition's log is fsynced: Kafka with flush.messages=1 on the topics,
#                   Capstan with its default durability: Fsync
#       defaults    each broker's own default (Kafka page cache, Capstan fsync): not the same
#                   work, shown for what an unconfigured user gets
#   LAT_ROUNDS=3 (environment): latency phases per peer and record size; the table shows the
#     median p50 and the median p99 (one phase's p99 rests on its slowest 1%: a single stall)
#   WARMUP=5 (environment): seconds sent at RATE before each latency phase, not measured
#   SIZES="100 1024" (environment): record sizes to run, e.g. SIZES=1024 while working on one row
# After each Capstan produce round a line gives its acks=all syncs from the broker's /metrics:
# how many, their mean time, partition waiters released per sync, and the mean time a produce
# request waited from its appends to its last partition's sync. The rounds' lines also give
# each broker's system CPU per produced record (fdatasync's kernel work is charged to Capstan).
#
# Per durability and record size (100 B, 1 KiB): produce and consume records/s (acks=all,
# idempotent, linger 5 ms, 64 KiB batches, 3 partitions), then p50/p99 end-to-end latency at a
# fixed rate. Throughput runs ROUNDS times per peer, the peers alternating and taking turns
# going first (a machine that slows down mid-run hits both alike), each round on a fresh topic;
# the table shows the median round. A second table gives each broker's CPU time per record
# (user + system, from /proc, median round), which other load on the machine disturbs less
# than records/s.
set -Eeuo pipefail
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
COUNT=${1:-500000}
RATE=${2:-5000}
SECONDS_AT_RATE=${3:-20}
ROUNDS=${ROUNDS:-3}
LAT_ROUNDS=${LAT_ROUNDS:-3}
WARMUP=${WARMUP:-5}
SIZES=${SIZES:-100 1024}
DURABILITY=${DURABILITY:-page-cache fsync}
for d in $DURABILITY; do
  [[ $d == page-cache || $d == fsync || $d == defaults ]] \
    || { echo "DURABILITY takes page-cache, fsync or defaults (space-separated), got '$d'" >&2; exit 2; }
done
WORK=$(mktemp -d "${TMPDIR:-/tmp}/capstan-bench-broker.XXXXXX")
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
say() { printf '==> %s\n' "$*" >&2; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

say "building Capstan's data plane and the load generator"
(cd "$ROOT" && ./mvnw -B -q -ntp -DskipTests -DskipE2E -pl dataplane,bench -am package)
(cd "$ROOT" && ./mvnw -B -q -ntp -pl bench dependency:build-classpath -Dmdep.outputFile="$WORK/cp.txt" >/dev/null)
CP="$ROOT/bench/target/classes:$(cat "$WORK/cp.txt")"
QUIET=(-Dorg.slf4j.simpleLogger.defaultLogLevel=warn)
BENCH=(java "${QUIET[@]}" -cp "$CP" dev.capstan.bench.broker.BrokerBench)

# Starts both brokers afresh for one durability: sets PID, KAFKA, CAPSTAN, ADMIN_PORT and the
# topic configs each gets.
start_brokers() {
  local durability=$1 capstan_durability=Fsync
  KAFKA_TC=${KAFKA_TOPIC_CONFIG:-}
  case $durability in
    page-cache) capstan_durability=PageCache ;;
    fsync) KAFKA_TC=flush.messages=1${KAFKA_TC:+,$KAFKA_TC} ;;
  esac
  CAPSTAN_TC=${CAPSTAN_TOPIC_CONFIG:-}
  say "starting Apache Kafka (embedded, KRaft) and Capstan's broker (durability $durability: Capstan $capstan_durability, Kafka topics '${KAFKA_TC}')"
  java "${QUIET[@]}" -Xmx1g -cp "$CP" dev.capstan.bench.broker.EmbeddedKafka >"$WORK/kafka.out" 2>"$WORK/kafka.log" & PIDS+=($!)
  PID[kafka]=$!
  KAFKA_PORT=$(free_port); ADMIN_PORT=$(free_port)
  rm -rf "$WORK/capstan"; mkdir -p "$WORK/capstan/data"
  cat > "$WORK/capstan/broker.yaml" <<YAML
kafkaPort: $KAFKA_PORT
adminPort: $ADMIN_PORT
brokers: 1
statefulSetName: bench
advertisedListener: "127.0.0.1:$KAFKA_PORT"
defaultPartitions: 3
defaultRetentionTime: 7d
durability: $capstan_durability
YAML
  # shellcheck disable=SC2086 # CAPSTAN_JAVA_OPTS holds several flags
  java -Xmx1g ${CAPSTAN_JAVA_OPTS:-} -jar "$ROOT/dataplane/target/capstan-dataplane.jar" broker --config "$WORK/capstan/broker.yaml" \
    --data "$WORK/capstan/data" >"$WORK/capstan.log" 2>&1 & PIDS+=($!)
  PID[capstan]=$!
  for _ in $(seq 1 120); do grep -q '^bootstrap=' "$WORK/kafka.out" 2>/dev/null && break; sleep 0.5; done
  KAFKA=$(sed -n 's/^bootstrap=//p' "$WORK/kafka.out"); [[ -n $KAFKA ]] || { echo "Kafka did not start: see $WORK/kafka.log" >&2; exit 1; }
  CAPSTAN="127.0.0.1:$KAFKA_PORT"
}
stop_brokers() {
  kill "${PID[kafka]}" "${PID[capstan]}" 2>/dev/null || true
  wait "${PID[kafka]}" "${PID[capstan]}" 2>/dev/null || true
  rm -rf "$WORK/kafka.out"
}
declare -A PID

# Capstan's acks=all sync meters so far: syncs, their seconds, waiters, durable waits, their seconds
sync_meters() {
  python3 - "$ADMIN_PORT" <<'PY'
import re, sys, urllib.request
text = urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/metrics", timeout=5).read().decode()
def value(name):
    m = re.search(r"^" + name + r"(\{[^}]*\})? ([0-9.eE+-]+)$", text, re.M)
    return m.group(2) if m else "0"
print(" ".join(value(n) for n in ["capstan_broker_fsync_seconds_count", "capstan_broker_fsync_seconds_sum",
    "capstan_broker_fsync_waiters_sum", "capstan_broker_produce_durable_wait_seconds_count",
    "capstan_broker_produce_durable_wait_seconds_sum"]))
PY
}
sync_report() {
  python3 -c '
import sys
a = [float(x) for x in sys.argv[1].split()]; b = [float(x) for x in sys.argv[2].split()]
d = [y - x for x, y in zip(a, b)]
syncs, waits = d[0] or 1, d[3] or 1
print(f"syncs={d[0]:.0f} mean_sync_ms={d[1] * 1e3 / syncs:.2f} waiters_per_sync={d[2] / syncs:.2f} "
      f"durable_requests={d[3]:.0f} mean_durable_wait_ms={d[4] * 1e3 / waits:.2f}")' "$1" "$2"
}

# CPU seconds (user + system) a process has used so far
cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$1/stat"; }
# system CPU seconds alone (fdatasync's kernel time is charged to the broker that calls it)
sys_s() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", $15 / hz}' "/proc/$1/stat"; }
median() { python3 -c 'import sys,statistics; v=[float(x) for x in sys.argv[1:] if x]; print(f"{statistics.median(v):.0f}" if v else "")' "$@"; }
median_f() { python3 -c 'import sys,statistics; v=[float(x) for x in sys.argv[1:] if x]; print(f"{statistics.median(v):.2f}" if v else "")' "$@"; }
us_per_record() { python3 -c "print(f'{($2 - $1) * 1e6 / $3:.2f}')"; }

ratio() { python3 -c "a,b=float('$1' or 0),float('$2' or 0); print(f'{b/a:.2f}' if a else 'n/a')"; }

declare -A R RUNS
for D in $DURABILITY; do
  start_brokers "$D"
  # shellcheck disable=SC2086 # SIZES is a list
  for size in $SIZES; do
    for round in $(seq 1 "$ROUNDS"); do
      peers=(kafka capstan); (( round % 2 == 0 )) && peers=(capstan kafka)
      for peer in "${peers[@]}"; do
        bs=$KAFKA; [[ $peer == capstan ]] && bs=$CAPSTAN
        topic="tp-$size-$round"
        say "$D: throughput round $round/$ROUNDS, $size B records, $peer"
        c0=$(cpu_s "${PID[$peer]}"); s0=$(sys_s "${PID[$peer]}")
        [[ $peer == capstan ]] && m0=$(sync_meters)
        tc=$KAFKA_TC; [[ $peer == capstan ]] && tc=$CAPSTAN_TC
        line=$(TOPIC_CONFIG=$tc "${BENCH[@]}" produce "$bs" "$topic" "$size" "$COUNT")
        c1=$(cpu_s "${PID[$peer]}"); s1=$(sys_s "${PID[$peer]}")
        [[ $peer == capstan ]] && say "capstan acks=all: $(sync_report "$m0" "$(sync_meters)")"
        RUNS[$D,$peer,$size,psys]+=" $(us_per_record "$s0" "$s1" "$COUNT")"
        RUNS[$D,$peer,$size,p]+=" $(sed -n 's/.*produce_msgs_per_s=\([0-9]*\).*/\1/p' <<<"$line")"
        RUNS[$D,$peer,$size,pcpu]+=" $(us_per_record "$c0" "$c1" "$COUNT")"
        line=$("${BENCH[@]}" consume "$bs" "$topic" "$size" "$COUNT")
        c2=$(cpu_s "${PID[$peer]}")
        RUNS[$D,$peer,$size,c]+=" $(sed -n 's/.*consume_msgs_per_s=\([0-9]*\).*/\1/p' <<<"$line")"
        RUNS[$D,$peer,$size,ccpu]+=" $(us_per_record "$c1" "$c2" "$COUNT")"
      done
    done
    for peer in kafka capstan; do
      for k in p c; do
        R[$D,$peer,$size,$k]=$(median ${RUNS[$D,$peer,$size,$k]})
        R[$D,$peer,$size,${k}cpu]=$(median_f ${RUNS[$D,$peer,$size,${k}cpu]})
        say "$peer $size B $k rounds:${RUNS[$D,$peer,$size,$k]} (CPU µs/record:${RUNS[$D,$peer,$size,${k}cpu]})"
      done
      say "$peer $size B produce system CPU µs/record:${RUNS[$D,$peer,$size,psys]}"
    done
    for round in $(seq 1 "$LAT_ROUNDS"); do
      peers=(kafka capstan); (( round % 2 == 0 )) && peers=(capstan kafka)
      for peer in "${peers[@]}"; do
        bs=$KAFKA; [[ $peer == capstan ]] && bs=$CAPSTAN
        say "$D: latency round $round/$LAT_ROUNDS at $RATE/s for ${WARMUP}s unmeasured + ${SECONDS_AT_RATE}s, $size B records, $peer"
        tc=$KAFKA_TC; [[ $peer == capstan ]] && tc=$CAPSTAN_TC
        line=$(TOPIC_CONFIG=$tc "${BENCH[@]}" latency "$bs" "lat-$size-$round" "$size" "$RATE" "$SECONDS_AT_RATE" "$WARMUP")
        RUNS[$D,$peer,$size,p50]+=" $(sed -n 's/.*p50_ms=\([0-9.]*\).*/\1/p' <<<"$line")"
        RUNS[$D,$peer,$size,p99]+=" $(sed -n 's/.*p99_ms=\([0-9.]*\).*/\1/p' <<<"$line")"
      done
    done
    for peer in kafka capstan; do
      for k in p50 p99; do
        R[$D,$peer,$size,$k]=$(median_f ${RUNS[$D,$peer,$size,$k]})
      done
      say "$peer $size B latency rounds p50:${RUNS[$D,$peer,$size,p50]} p99:${RUNS[$D,$peer,$size,p99]} ms"
    done
  done

  stop_brokers
done

# One table pair per durability
for D in $DURABILITY; do
  printf '\nDurability %s:\n\n| measure | Apache Kafka 4.3.1 | Capstan | Capstan / Kafka |\n| --- | ---: | ---: | ---: |\n' "$D"
  for size in $SIZES; do
    for m in p:produce c:consume; do
      k=${m%%:*}; n=${m#*:}
      printf '| %s %s B records, msgs/s | %s | %s | %s× |\n' "$n" "$size" "${R[$D,kafka,$size,$k]}" "${R[$D,capstan,$size,$k]}" "$(ratio "${R[$D,kafka,$size,$k]}" "${R[$D,capstan,$size,$k]}")"
    done
    for k in p50 p99; do
      printf '| end-to-end %s at %s/s, %s B, ms, median of %s phases | %s | %s | %s× |\n' "$k" "$RATE" "$size" "$LAT_ROUNDS" "${R[$D,kafka,$size,$k]}" "${R[$D,capstan,$size,$k]}" "$(ratio "${R[$D,kafka,$size,$k]}" "${R[$D,capstan,$size,$k]}")"
    done
  done
  printf '\n| broker CPU per record (user + system), µs, median of %s rounds | Apache Kafka 4.3.1 | Capstan | Capstan / Kafka |\n| --- | ---: | ---: | ---: |\n' "$ROUNDS"
  for size in $SIZES; do
    for m in pcpu:produce ccpu:consume; do
      k=${m%%:*}; n=${m#*:}
      printf '| %s %s B records | %s | %s | %s× |\n' "$n" "$size" "${R[$D,kafka,$size,$k]}" "${R[$D,capstan,$size,$k]}" "$(ratio "${R[$D,kafka,$size,$k]}" "${R[$D,capstan,$size,$k]}")"
    done
  done
done
