#!/usr/bin/env bash
# Side-by-side: wrk against an origin directly, and through Capstan's lb, nginx and HAProxy.
# Keep-alive on both sides, one worker/event loop each, the same 2 origin servers (nginx,
# answering "ok" itself). Prints req/s, p50, p99 and the proxy's CPU time per request, from
# /proc/<pid>/stat utime+stime before and after the measured run (warm-up excluded).
#
# Usage (from the repository root; builds the data plane's jar unless CAPSTAN_JAR names one):
#   [knobs below] bench/lb.sh [seconds per measured run, default 10] [connections, default 32]
# Knobs (environment), the same for every target:
#   ROUNDS=3          rounds; each round warms up and measures every target once, and the
#                     targets take turns going first (a machine that slows down mid-run hits all
#                     alike). Every round is printed; the summary gives each target's median
#                     round and Capstan / nginx per round. On two shared cores the tail of one
#                     10-second run moves 2-3x between runs for nginx as for Capstan: compare the
#                     medians, or raise the seconds per run (e.g. 30) rather than count runs.
#   WARMUP=10         seconds of unmeasured load before each measured run, split into
#   WARMUP_CONNECTS=2 that many wrk runs, each with new connections. The measured run opens
#                     new connections too; a warm-up that never closed or opened one leaves a
#                     JIT's profile without those paths, and the start of the measured run
#                     then runs deoptimized code while the compiler recompiles it (seen in
#                     Capstan: 0.2-0.5 s of C2 CPU inside a 10-second run after one 10-second
#                     warm-up; 0.07 s after two of 5 seconds).
#   TARGETS="direct capstan nginx haproxy"   which targets, e.g. TARGETS="capstan nginx"
#   CAPSTAN_JAR=other.jar                    another build, for an A/B
#   CAPSTAN_JAVA_OPTS=...                    extra JVM flags for Capstan, e.g. the balancer pods'
#                                            (controllers' PodTemplates): -XX:+UseParallelGC
#                                            -XX:MaxTenuringThreshold=1 -XX:-UsePerfData
#                                            -XX:PerMethodTrapLimit=0
# Capstan's row also shows the bytes its event loop allocated per request (jcmd Thread.print),
# the CPU ms its JIT compiler threads and its GC/VM threads used during the measured run, and
# its GC pauses in that run (count and total ms, from -Xlog:gc): a warm-up too short shows as
# JIT time, a heap too small as pauses.
# Every proxy's row also shows figures that a busy machine blurs less than its tail does, each
# summed over all its threads (nginx: master and worker) over the measured run:
#   vcs/kr   voluntary context switches per 1000 requests (the proxy went to sleep: out of work,
#            or, for Capstan's threads other than its event loop, timers and periodic work waking)
#   ivcs/kr  involuntary ones per 1000 requests (preempted while it had work)
#   runq_us  microseconds per request its threads were runnable but waiting for a CPU
#            (/proc/<pid>/task/<tid>/schedstat): the stall that delays every request in flight
# and Capstan's row: bg_wk/s, wake-ups per second of its JVM threads other than the event loop
# (compiler, GC, VM periodic task, monitor deflation, config watch: each can preempt the event
# loop, wrk or the origin on two cores), and sp n/ms/max, its safepoints in the run (-Xlog:safepoint:
# count, total and longest pause in ms).
#   SYSCALLS=1        also count each proxy's system calls per request (sys/r) with `perf stat -e
#                     raw_syscalls:sys_enter -p PID` during the measured run, every target alike;
#                     needs perf and tracepoint access, and costs every proxy a little.
# Needs: wrk, nginx, haproxy, java 17, python3. Uses ports 19080-19099 on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-10}
CONNS=${2:-32}
ROUNDS=${ROUNDS:-3}
WARMUP=${WARMUP:-10}
WARMUP_CONNECTS=${WARMUP_CONNECTS:-2}
SYSCALLS=${SYSCALLS:-0}
if [ "$SYSCALLS" = 1 ] && ! perf stat -e raw_syscalls:sys_enter true >/dev/null 2>&1; then
  echo "SYSCALLS=1 needs perf with access to the raw_syscalls tracepoint (perf_event_paranoid, tracefs)" >&2
  exit 2
fi
WORK=$(mktemp -d /tmp/capstan-bench-lb.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 0.5
  rm -rf "$WORK"
}
trap cleanup EXIT

ORIGIN1=19081 ORIGIN2=19082 CAPSTAN=19090 NGINX=19091 HAPROXY=19092 ADMIN=19099
TICK=$(getconf CLK_TCK)

# --- origin: one nginx, two ports, answering itself ---
mkdir -p "$WORK/origin" "$WORK/proxy"
cat > "$WORK/origin/nginx.conf" <<CONF
worker_processes 1; daemon off; pid $WORK/origin/nginx.pid; error_log $WORK/origin/error.log;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000;
  server { listen 127.0.0.1:$ORIGIN1; location / { return 200 "ok\n"; } }
  server { listen 127.0.0.1:$ORIGIN2; location / { return 200 "ok\n"; } } }
CONF
nginx -c "$WORK/origin/nginx.conf" -p "$WORK/origin" & PIDS+=($!)

# --- Capstan: from the shaded jar (what ships), as bench/tsdb.sh does ---
# CAPSTAN_JAR: another build, for an A/B; without it, this tree is built first
if [ -z "${CAPSTAN_JAR:-}" ]; then
  echo "==> building Capstan's data plane" >&2
  ./mvnw -B -q -ntp -DskipTests -DskipE2E -pl dataplane -am package
fi
JAR=${CAPSTAN_JAR:-dataplane/target/capstan-dataplane.jar}
[ -f "$JAR" ] || { echo "no $JAR: name a built capstan-dataplane.jar in CAPSTAN_JAR" >&2; exit 1; }
cat > "$WORK/lb.yaml" <<CONF
mode: HTTP
algorithm: RoundRobin
listeners: [{name: web, port: $CAPSTAN}]
backends:
  - {host: 127.0.0.1, port: $ORIGIN1, weight: 1}
  - {host: 127.0.0.1, port: $ORIGIN2, weight: 1}
passiveHealthCheck: {maxFails: 1, failTimeout: 10s}
timeouts: {connect: 5s, response: 60s, idle: 60s}
adminPort: $ADMIN
CONF
java -Dcapstan.lb.threads=1 -Xms256m -Xmx256m ${CAPSTAN_JAVA_OPTS:-} -Xlog:gc:file="$WORK/capstan-gc.log" \
  -Xlog:safepoint:file="$WORK/capstan-safepoint.log" -jar "$JAR" lb --config "$WORK/lb.yaml" > "$WORK/capstan.log" 2>&1 & CAPSTAN_PID=$!
PIDS+=($CAPSTAN_PID)

# --- nginx as a proxy ---
cat > "$WORK/proxy/nginx.conf" <<CONF
worker_processes 1; daemon off; pid $WORK/proxy/nginx.pid; error_log $WORK/proxy/error.log;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000;
  upstream origin { server 127.0.0.1:$ORIGIN1; server 127.0.0.1:$ORIGIN2; keepalive 64; }
  server { listen 127.0.0.1:$NGINX;
    location / { proxy_pass http://origin; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for; } } }
CONF
nginx -c "$WORK/proxy/nginx.conf" -p "$WORK/proxy" & NGINX_PID=$!
PIDS+=($NGINX_PID)

# --- HAProxy ---
cat > "$WORK/haproxy.cfg" <<CONF
global
  nbthread 1
  maxconn 4096
defaults
  mode http
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  option forwardfor
  http-reuse always
frontend web
  bind 127.0.0.1:$HAPROXY
  default_backend origin
backend origin
  balance roundrobin
  server o1 127.0.0.1:$ORIGIN1
  server o2 127.0.0.1:$ORIGIN2
CONF
haproxy -db -f "$WORK/haproxy.cfg" > "$WORK/haproxy.log" 2>&1 & HAPROXY_PID=$!
PIDS+=($HAPROXY_PID)

# Wait for everything to answer (the JVM takes a few seconds).
for port in $ORIGIN1 $CAPSTAN $NGINX $HAPROXY; do
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$port/" >/dev/null && break
    sleep 0.2
  done
done

# CPU ticks of a process and its children (nginx: master + worker).
ticks() {
  local total=0 p
  for p in "$1" $(pgrep -P "$1" || true); do
    total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat")))
  done
  echo $total
}

# Bytes allocated so far by the JVM's event-loop threads ("lb-*"), from `jcmd Thread.print -e`:
# divided by the requests of a run, a figure that, unlike CPU time, the load of a shared
# machine does not blur.
jvm_allocated() {
  jcmd "$1" Thread.print -e 2>/dev/null | awk '/^"lb-/ { for (i = 1; i <= NF; i++) if ($i ~ /^allocated=/) {
      v = substr($i, 11); m = 1
      if (v ~ /K$/) m = 1024; else if (v ~ /M$/) m = 1048576; else if (v ~ /G$/) m = 1073741824
      gsub(/[A-Za-z]/, "", v); t += v * m } } END { printf "%.0f\n", t }'
}

# CPU ticks of a JVM's threads whose name matches an extended regex (the name is between the
# parentheses of /proc/<pid>/task/<tid>/stat and may hold spaces, so fields count after it).
thread_ticks() {
  cat /proc/"$1"/task/*/stat 2>/dev/null | awk -v re="$2" '{
      lp = index($0, "("); rp = 0
      for (i = length($0); i > 0; i--) if (substr($0, i, 1) == ")") { rp = i; break }
      name = substr($0, lp + 1, rp - lp - 1)
      if (name ~ re) { split(substr($0, rp + 2), f, " "); t += f[12] + f[13] } }
    END { print t + 0 }'
}
# Voluntary and involuntary context switches and run-queue wait (ns) of a process and its
# children, summed over all their threads.
sched() {
  local p t v n w total_v=0 total_n=0 total_w=0
  for p in "$1" $(pgrep -P "$1" || true); do
    for t in /proc/"$p"/task/*; do
      v=$(awk '/^voluntary_ctxt_switches/ { print $2 }' "$t/status" 2>/dev/null) || continue
      n=$(awk '/^nonvoluntary_ctxt_switches/ { print $2 }' "$t/status" 2>/dev/null) || continue
      w=$(awk '{ print $2 }' "$t/schedstat" 2>/dev/null) || continue
      total_v=$((total_v + ${v:-0})); total_n=$((total_n + ${n:-0})); total_w=$((total_w + ${w:-0}))
    done
  done
  echo "$total_v $total_n $total_w"
}

# Voluntary context switches (wake-ups) of a JVM's threads other than its event loops ("lb-*").
background_wakeups() {
  local t total=0 v
  for t in /proc/"$1"/task/*; do
    case $(cat "$t/comm" 2>/dev/null) in lb-*) continue ;; esac
    v=$(awk '/^voluntary_ctxt_switches/ { print $2 }' "$t/status" 2>/dev/null) || continue
    total=$((total + ${v:-0}))
  done
  echo $total
}

JIT_THREADS='^C[12] CompilerThre'
GC_THREADS='^(GC Thread|G1 |VM Thread)'

# One warm-up and one measured run of a target; appends a line to $WORK/results.
run() { # round name port pid(or -)
  local round=$1 name=$2 port=$3 pid=$4
  local per=$(( (WARMUP + WARMUP_CONNECTS - 1) / WARMUP_CONNECTS ))
  for _ in $(seq 1 "$WARMUP_CONNECTS"); do
    wrk -t1 -c"$CONNS" -d"${per}s" "http://127.0.0.1:$port/" >/dev/null
  done
  local before=0 after=0 alloc_before=0 alloc_after=0 jit0=0 jit1=0 gc0=0 gc1=0 gclog0=0 gclog1=0
  local sched0="0 0 0" sched1="0 0 0" bg0=0 bg1=0 sp0=0 sp1=0 perf=-
  [ "$pid" != - ] && before=$(ticks "$pid") && sched0=$(sched "$pid")
  if [ "$name" = capstan ]; then
    alloc_before=$(jvm_allocated "$pid")
    jit0=$(thread_ticks "$pid" "$JIT_THREADS"); gc0=$(thread_ticks "$pid" "$GC_THREADS")
    gclog0=$(wc -l < "$WORK/capstan-gc.log"); sp0=$(wc -l < "$WORK/capstan-safepoint.log")
    bg0=$(background_wakeups "$pid")
  fi
  if [ "$SYSCALLS" = 1 ] && [ "$pid" != - ]; then
    # The proxy's processes: nginx's master sleeps, its worker is the child.
    perf stat -x, -e raw_syscalls:sys_enter -p "$(echo "$pid" $(pgrep -P "$pid" || true) | tr ' ' ,)" \
      -o "$WORK/$name.$round.perf" & perf=$!
  fi
  wrk -t1 -c"$CONNS" -d"${SECS}s" --latency "http://127.0.0.1:$port/" > "$WORK/$name.$round.wrk"
  if [ "$perf" != - ]; then kill -INT "$perf" 2>/dev/null || true; wait "$perf" || true; fi
  [ "$pid" != - ] && after=$(ticks "$pid") && sched1=$(sched "$pid")
  if [ "$name" = capstan ]; then
    alloc_after=$(jvm_allocated "$pid")
    jit1=$(thread_ticks "$pid" "$JIT_THREADS"); gc1=$(thread_ticks "$pid" "$GC_THREADS")
    gclog1=$(wc -l < "$WORK/capstan-gc.log"); sp1=$(wc -l < "$WORK/capstan-safepoint.log")
    bg1=$(background_wakeups "$pid")
    tail -n +"$((gclog0 + 1))" "$WORK/capstan-gc.log" | head -n "$((gclog1 - gclog0))" > "$WORK/gc.$round.log"
    tail -n +"$((sp0 + 1))" "$WORK/capstan-safepoint.log" | head -n "$((sp1 - sp0))" > "$WORK/safepoint.$round.log"
  fi
  python3 - "$round" "$name" "$WORK/$name.$round.wrk" "$before" "$after" "$TICK" "$pid" "$alloc_before" \
      "$alloc_after" "$((jit1 - jit0))" "$((gc1 - gc0))" "$WORK/gc.$round.log" "$sched0" "$sched1" \
      "$((bg1 - bg0))" "$WORK/safepoint.$round.log" "$WORK/$name.$round.perf" "$SECS" >> "$WORK/results" <<'PY'
import os, re, sys
(rnd, name, path, before, after, tick, pid, alloc_before, alloc_after, jit, gc, gclog, sched0, sched1,
 bg, splog, perf, secs) = sys.argv[1:]
s = open(path).read()
def lat(q):
    m = re.search(r'^\s*%s%%\s+([\d.]+)(us|ms|s)' % q, s, re.M)
    v, u = float(m.group(1)), m.group(2)
    return v * {'us': 0.001, 'ms': 1, 's': 1000}[u]
reqs = int(re.search(r'(\d+) requests in', s).group(1))
rps = float(re.search(r'Requests/sec:\s+([\d.]+)', s).group(1))
errors = re.search(r'Non-2xx or 3xx responses: (\d+)', s)
ms = lambda t: int(t) * 1000 / int(tick)
cpu = '-' if pid == '-' else '%.1f' % ((int(after) - int(before)) / int(tick) / reqs * 1e6)
alloc = jit_ms = gc_ms = pauses = '-'
if name == 'capstan':
    alloc = '%.0f' % ((int(alloc_after) - int(alloc_before)) / reqs)
    jit_ms, gc_ms = '%.0f' % ms(jit), '%.0f' % ms(gc)
    times = [float(t) for t in re.findall(r'Pause.* ([\d.]+)ms$', open(gclog).read(), re.M)] if os.path.exists(gclog) else []
    pauses = '%d/%.0f' % (len(times), sum(times))
vcs = ivcs = runq = wakes = safepoints = syscalls = '-'
if pid != '-':
    d = [int(b) - int(a) for a, b in zip(sched0.split(), sched1.split())]
    vcs, ivcs, runq = '%.1f' % (d[0] * 1000 / reqs), '%.1f' % (d[1] * 1000 / reqs), '%.2f' % (d[2] / 1000 / reqs)
if name == 'capstan':
    wakes = '%.0f' % (int(bg) / float(secs))
    sp = [int(t) for t in re.findall(r'Total: (\d+) ns', open(splog).read())] if os.path.exists(splog) else []
    safepoints = '%d/%.1f/%.1f' % (len(sp), sum(sp) / 1e6, max(sp, default=0) / 1e6)
if os.path.exists(perf):
    m = re.search(r'^([\d]+),.*raw_syscalls:sys_enter', open(perf).read(), re.M)
    syscalls = '%.2f' % (int(m.group(1)) / reqs) if m else '-'
print('\t'.join([rnd, name, '%.0f' % rps, '%.3f' % lat(50), '%.3f' % lat(99), cpu, alloc, jit_ms, gc_ms,
                 pauses, errors.group(1) if errors else '0', vcs, ivcs, runq, wakes, safepoints, syscalls]))
PY
  tail -1 "$WORK/results" | awk -F'\t' '{ printf "%-6s %-9s %9s %8s %8s %8s %8s %7s %6s %10s %7s %7s %7s %8s %13s %6s %s\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $12, $13, $14, $15, $16, $17, ($11 == "0" ? "" : "non-2xx: " $11) }'
}

echo "wrk -t1 -c$CONNS -d${SECS}s after ${WARMUP}s warm-up in $WARMUP_CONNECTS connects, keep-alive, 1 worker each, 2 origins (nginx return 200), $ROUNDS rounds"
printf '%-6s %-9s %9s %8s %8s %8s %8s %7s %6s %10s %7s %7s %7s %8s %13s %6s\n' round target req/s p50_ms p99_ms \
  cpu_us/r alloc_B/r jit_ms gc_ms pauses/ms vcs/kr ivcs/kr runq_us bg_wk/s 'sp n/ms/max' sys/r
read -r -a ORDER <<< "${TARGETS:-direct capstan nginx haproxy}"
for round in $(seq 1 "$ROUNDS"); do
  n=${#ORDER[@]}
  for i in $(seq 0 $((n - 1))); do
    t=${ORDER[$(( (i + round - 1) % n ))]} # round r starts with the r-th target
    case $t in
      direct) run "$round" direct $ORIGIN1 - ;;
      capstan) run "$round" capstan $CAPSTAN $CAPSTAN_PID ;;
      nginx) run "$round" nginx $NGINX $NGINX_PID ;;
      haproxy) run "$round" haproxy $HAPROXY $HAPROXY_PID ;;
    esac
  done
done

python3 - "$WORK/results" <<'PY'
import statistics, sys
rows = [l.rstrip('\n').split('\t') for l in open(sys.argv[1])]
by = {}
for r in rows:
    by.setdefault(r[1], []).append(r)
def med(rs, i):
    v = [float(r[i]) for r in rs if r[i] != '-']
    return statistics.median(v) if v else None
print('\nmedian of %d rounds:' % max(len(v) for v in by.values()))
print('%-9s %9s %8s %8s %8s %8s %7s %7s %7s %6s' % ('target', 'req/s', 'p50_ms', 'p99_ms', 'cpu_us/r', 'alloc_B/r',
                                                    'vcs/kr', 'ivcs/kr', 'runq_us', 'sys/r'))
opt = lambda v, f: '-' if v is None else f % v
for name, rs in by.items():
    f = [med(rs, i) for i in (2, 3, 4, 5, 6, 11, 12, 13, 16)]
    print('%-9s %9.0f %8.3f %8.3f %8s %8s %7s %7s %7s %6s' % (name, f[0], f[1], f[2], opt(f[3], '%.1f'),
          opt(f[4], '%.0f'), opt(f[5], '%.1f'), opt(f[6], '%.1f'), opt(f[7], '%.2f'), opt(f[8], '%.2f')))
if 'capstan' in by and 'nginx' in by:
    # Goal of issue #5: at least nginx's req/s with a p99 no worse than 1.1x nginx's.
    met = 0
    print('\nCapstan / nginx per round (req/s, p99, CPU per request; goal: req/s >= 1, p99 <= 1.1):')
    nginx = {r[0]: r for r in by['nginx']}
    for c in by['capstan']:
        n = nginx.get(c[0])
        if not n:
            continue
        rps, p99 = float(c[2]) / float(n[2]), float(c[4]) / float(n[4])
        ok = rps >= 1 and p99 <= 1.1
        met += ok
        print('  round %s: %.2fx  %.2fx  %.2fx  %s' % (c[0], rps, p99, float(c[5]) / float(n[5]), 'met' if ok else 'not met'))
    c, n = by['capstan'], by['nginx']
    rps, p99 = med(c, 2) / med(n, 2), med(c, 4) / med(n, 4)
    print('  medians: %.2fx  %.2fx  %.2fx  %s; met in %d of %d rounds' % (rps, p99, med(c, 5) / med(n, 5),
          'met' if rps >= 1 and p99 <= 1.1 else 'not met', met, len(c)))
PY
