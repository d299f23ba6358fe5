#!/usr/bin/env bash
# Broker benchmark: Capstan's broker and Apache Kafka (embedded KRaft node, same release as
# kafka-clients) side by side, same machine, same client, same settings, same run. Prints a
# table and Capstan/Kafka ratios; paste it into docs/BENCHMARKS.md with date and machine.
#
#   bench/broker.sh [COUNT] [RATE] [SECONDS]     defaults: 500000 records, 5000/s for 20 s
#
# Per record size (100 B, 1 KiB): produce and consume records/s (acks=all, idempotent, linger
# 5 ms, 64 KiB batches, 3 partitions), then p50/p99 end-to-end latency at a fixed rate.
set -Eeuo pipefail
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
COUNT=${1:-500000}
RATE=${2:-5000}
SECONDS_AT_RATE=${3:-20}
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

say "starting Apache Kafka (embedded, KRaft) and Capstan's broker"
java "${QUIET[@]}" -Xmx1g -cp "$CP" dev.capstan.bench.broker.EmbeddedKafka >"$WORK/kafka.out" 2>"$WORK/kafka.log" & PIDS+=($!)
KAFKA_PORT=$(free_port); ADMIN_PORT=$(free_port)
mkdir -p "$WORK/capstan/data"
cat > "$WORK/capstan/broker.yaml" <<YAML
kafkaPort: $KAFKA_PORT
adminPort: $ADMIN_PORT
brokers: 1
statefulSetName: bench
advertisedListener: "127.0.0.1:$KAFKA_PORT"
defaultPartitions: 3
defaultRetentionTime: 7d
YAML
java -Xmx1g -jar "$ROOT/dataplane/target/capstan-dataplane.jar" broker --config "$WORK/capstan/broker.yaml" \
  --data "$WORK/capstan/data" >"$WORK/capstan.log" 2>&1 & PIDS+=($!)
for _ in $(seq 1 120); do grep -q '^bootstrap=' "$WORK/kafka.out" 2>/dev/null && break; sleep 0.5; done
KAFKA=$(sed -n 's/^bootstrap=//p' "$WORK/kafka.out"); [[ -n $KAFKA ]] || { echo "Kafka did not start: $WORK/kafka.log" >&2; exit 1; }
CAPSTAN="127.0.0.1:$KAFKA_PORT"

declare -A R
for size in 100 1024; do
  for peer in kafka capstan; do
    bs=$KAFKA; [[ $peer == capstan ]] && bs=$CAPSTAN
    say "throughput, $size B records, $peer"
    line=$("${BENCH[@]}" throughput "$bs" "tp-$size" "$size" "$COUNT")
    R[$peer,$size,p]=$(sed -n 's/.*produce_msgs_per_s=\([0-9]*\).*/\1/p' <<<"$line")
    R[$peer,$size,c]=$(sed -n 's/.*consume_msgs_per_s=\([0-9]*\).*/\1/p' <<<"$line")
    say "latency at $RATE/s for ${SECONDS_AT_RATE}s, $size B records, $peer"
    line=$("${BENCH[@]}" latency "$bs" "lat-$size" "$size" "$RATE" "$SECONDS_AT_RATE")
    R[$peer,$size,p50]=$(sed -n 's/.*p50_ms=\([0-9.]*\).*/\1/p' <<<"$line")
    R[$peer,$size,p99]=$(sed -n 's/.*p99_ms=\([0-9.]*\).*/\1/p' <<<"$line")
  done
done

ratio() { python3 -c "a,b=float('$1' or 0),float('$2' or 0); print(f'{b/a:.2f}' if a else 'n/a')"; }
printf '\n| measure | Apache Kafka 4.3.1 | Capstan | Capstan / Kafka |\n| --- | ---: | ---: | ---: |\n'
for size in 100 1024; do
  for m in p:produce c:consume; do
    k=${m%%:*}; n=${m#*:}
    printf '| %s %s B records, msgs/s | %s | %s | %s× |\n' "$n" "$size" "${R[kafka,$size,$k]}" "${R[capstan,$size,$k]}" "$(ratio "${R[kafka,$size,$k]}" "${R[capstan,$size,$k]}")"
  done
  for k in p50 p99; do
    printf '| end-to-end %s at %s/s, %s B, ms | %s | %s | %s× |\n' "$k" "$RATE" "$size" "${R[kafka,$size,$k]}" "${R[capstan,$size,$k]}" "$(ratio "${R[kafka,$size,$k]}" "${R[capstan,$size,$k]}")"
  done
done
