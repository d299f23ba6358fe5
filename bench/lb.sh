#!/usr/bin/env bash
# Side-by-side: wrk against an origin directly, and through Capstan's lb, nginx and HAProxy.
# Keep-alive on both sides, one worker/event loop each, the same 2 origin servers (nginx,
# answering "ok" itself). Prints req/s, p50, p99 and the proxy's CPU time per request, from
# /proc/<pid>/stat utime+stime before and after the measured run (warm-up excluded).
#
# Usage (from the repository root; builds the data plane's jar unless CAPSTAN_JAR names one):
#   [WARMUP=15] [CAPSTAN_JAR=other.jar] [CAPSTAN_JAVA_OPTS=...] bench/lb.sh [seconds per run, default 10] [connections, default 32]
# Needs: wrk, nginx, haproxy, java 17. Uses ports 19080-19099 on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-10}
CONNS=${2:-32}
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
java -Dcapstan.lb.threads=1 -Xms256m -Xmx256m ${CAPSTAN_JAVA_OPTS:-} -jar "$JAR" lb --config "$WORK/lb.yaml" > "$WORK/capstan.log" 2>&1 & CAPSTAN_PID=$!
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

run() { # name port pid(or -)
  local name=$1 port=$2 pid=$3
  wrk -t1 -c"$CONNS" -d"${WARMUP:-15}s" "http://127.0.0.1:$port/" >/dev/null # warm-up (JIT, pools)
  local before=0 after=0 alloc_before=0 alloc_after=0
  [ "$pid" != - ] && before=$(ticks "$pid")
  [ "$name" = capstan ] && alloc_before=$(jvm_allocated "$pid")
  wrk -t1 -c"$CONNS" -d"${SECS}s" --latency "http://127.0.0.1:$port/" > "$WORK/$name.wrk"
  [ "$pid" != - ] && after=$(ticks "$pid")
  [ "$name" = capstan ] && alloc_after=$(jvm_allocated "$pid")
  python3 - "$name" "$WORK/$name.wrk" "$before" "$after" "$TICK" "$pid" "$alloc_before" "$alloc_after" <<'PY'
import re, sys
name, path, before, after, tick, pid, alloc_before, alloc_after = sys.argv[1:]
s = open(path).read()
def lat(q):
    m = re.search(r'^\s*%s%%\s+([\d.]+)(us|ms|s)' % q, s, re.M)
    v, u = float(m.group(1)), m.group(2)
    return v * {'us': 0.001, 'ms': 1, 's': 1000}[u]
reqs = int(re.search(r'(\d+) requests in', s).group(1))
rps = float(re.search(r'Requests/sec:\s+([\d.]+)', s).group(1))
errors = re.search(r'Non-2xx or 3xx responses: (\d+)', s)
cpu = '-' if pid == '-' else '%.1f' % ((int(after) - int(before)) / int(tick) / reqs * 1e6)
alloc = '-' if name != 'capstan' else '%.0f' % ((int(alloc_after) - int(alloc_before)) / reqs)
print('%-10s %10.0f %9.3f %9.3f %12s %12s %s' % (name, rps, lat(50), lat(99), cpu, alloc,
      ('non-2xx: ' + errors.group(1)) if errors else ''))
PY
}

echo "wrk -t1 -c$CONNS -d${SECS}s, keep-alive, 1 worker each, 2 origins (nginx return 200)"
printf '%-10s %10s %9s %9s %12s %12s\n' target req/s p50_ms p99_ms cpu_us/req alloc_B/req
# TARGETS (default all): e.g. TARGETS="capstan nginx" to skip the others.
for t in ${TARGETS:-direct capstan nginx haproxy}; do
  case $t in
    direct) run direct $ORIGIN1 - ;;
    capstan) run capstan $CAPSTAN $CAPSTAN_PID ;;
    nginx) run nginx $NGINX $NGINX_PID ;;
    haproxy) run haproxy $HAPROXY $HAPROXY_PID ;;
  esac
done
