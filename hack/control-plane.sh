#!/usr/bin/env bash
# A local Kubernetes control plane for Capstan's e2e tests and demo: etcd +
# kube-apiserver + kube-controller-manager on free 127.0.0.1 ports, TLS everywhere,
# RBAC + Node authorization, working TokenRequest. No kubelet: Pods stay Pending.
#
#   hack/control-plane.sh start    start (idempotent); waits for /readyz and for the
#                                  'default' ServiceAccount in namespace 'default'
#   hack/control-plane.sh stop     SIGTERM, then SIGKILL after CAPSTAN_CP_STOP_TIMEOUT;
#                                  removes the state unless KEEP_LOGS=1 or the run failed
#   hack/control-plane.sh status   exit 0 if running and ready, 3 if not running, 1 if broken
#   hack/control-plane.sh env      prints   export KUBECONFIG=...   (and PATH with kubectl/helm)
#
# stdout carries only machine-readable output ('start' and 'env' print the export lines,
# so  eval "$(hack/control-plane.sh start)"  works); progress and errors go to stderr.
# Exit codes: 0 ok, 1 failure, 2 usage, 3 not running (status).
#
# Environment:
#   CAPSTAN_CP_DIR            state dir (default ${TMPDIR:-/tmp}/capstan-cp-$UID): pki/, etcd/,
#                             logs/, run/ (pids, ports), kubeconfig
#   CAPSTAN_CP_TIMEOUT        seconds 'start' waits for readiness (default 180)
#   CAPSTAN_CP_STOP_TIMEOUT   seconds 'stop' waits after SIGTERM before SIGKILL (default 20)
#   CAPSTAN_CP_PARENT_PID     if set, a watchdog stops the control plane when that process
#                             exits (for test JVMs that may die without calling 'stop')
#   CAPSTAN_K8S_BIN_DIR       use binaries from this dir instead of running build-k8s.sh
#   KEEP_LOGS=1               'stop' keeps the state dir (logs, certs, data)
set -Eeuo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
SELF="$SCRIPT_DIR/$(basename -- "${BASH_SOURCE[0]}")"

DEFAULT_DIR="${TMPDIR:-/tmp}/capstan-cp-$(id -u)"
STATE=${CAPSTAN_CP_DIR:-$DEFAULT_DIR}
START_TIMEOUT=${CAPSTAN_CP_TIMEOUT:-180}
STOP_TIMEOUT=${CAPSTAN_CP_STOP_TIMEOUT:-20}

PKI="$STATE/pki"
LOGS="$STATE/logs"
RUN="$STATE/run"
KUBECONFIG_FILE="$STATE/kubeconfig"
COMPONENTS=(etcd kube-apiserver kube-controller-manager) # start order; stop is the reverse

log() { printf '[control-plane] %s\n' "$*" >&2; }
die() { printf '[control-plane] ERROR: %s\n' "$*" >&2; exit "${2:-1}"; }

usage() {
  sed -n '2,/^set -Eeuo/p' "$SELF" | sed -e '/^set -Eeuo/d' -e 's/^# \{0,1\}//' >&2
}

# State dir must be absolute so that nothing depends on the caller's current directory.
case "$STATE" in
  /*) ;;
  *) STATE="$(pwd -P)/$STATE"; PKI="$STATE/pki"; LOGS="$STATE/logs"; RUN="$STATE/run"; KUBECONFIG_FILE="$STATE/kubeconfig" ;;
esac

# ---------------------------------------------------------------------------- helpers

pid_of() { [[ -s "$RUN/$1.pid" ]] && cat "$RUN/$1.pid"; }

# Alive and really the component we started: its command line names our state dir
# (guards against pid reuse). Just after launch it may still be the forked shell.
alive() { # <component>
  local pid cmd
  pid=$(pid_of "$1") || return 1
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 1
  [[ -r /proc/$pid/cmdline ]] || return 0
  cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 0
  [[ $cmd == *"$STATE/"* || $cmd == *control-plane.sh* ]]
}

bin_dir() {
  if [[ -n ${CAPSTAN_K8S_BIN_DIR:-} ]]; then
    echo "$CAPSTAN_K8S_BIN_DIR"
  elif [[ -s "$RUN/bin-dir" && ${1:-} == cached ]]; then
    cat "$RUN/bin-dir"
  else
    "$SCRIPT_DIR/build-k8s.sh" </dev/null
  fi
}

port_free() { # <port>
  if command -v ss >/dev/null 2>&1; then
    ! ss -Htln "sport = :$1" 2>/dev/null | grep -q .
  else
    ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
  fi
}

# A free port in 20000-32767 (below the usual ephemeral range), not already chosen.
PICKED=" "
pick_port() {
  local p _
  for _ in $(seq 1 200); do
    p=$(( 20000 + (RANDOM * 32768 + RANDOM) % 12768 ))
    [[ $PICKED == *" $p "* ]] && continue
    if port_free "$p"; then PICKED+="$p "; echo "$p"; return 0; fi
  done
  die "no free TCP port found on 127.0.0.1"
}

kctl() { "$BIN/kubectl" --kubeconfig "$KUBECONFIG_FILE" --request-timeout=5s "$@"; }

print_env() {
  local bin
  printf 'export KUBECONFIG=%q\n' "$KUBECONFIG_FILE"
  if bin=$(cat "$RUN/bin-dir" 2>/dev/null) && [[ -n $bin ]]; then
    printf 'export PATH=%q:"$PATH"\n' "$bin"
  fi
}

# ------------------------------------------------------------------------------- pki

gen_key() { # <file> rsa|ec
  if [[ $2 == rsa ]]; then
    openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1"
  else
    openssl genpkey -quiet -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"
  fi && chmod 600 "$1"
}

gen_ca() { # <name> <CN>
  openssl req -x509 -new -key "$PKI/$1.key" -subj "/CN=$2" -days 365 -sha256 \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
    -out "$PKI/$1.crt"
}

gen_cert() { # <ca> <name> <subject> <extendedKeyUsage> [subjectAltName]
  local ca=$1 name=$2 subj=$3 eku=$4 san=${5:-} ext="$PKI/$2.ext"
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$eku"
    [[ -n $san ]] && echo "subjectAltName=$san"
  } >"$ext"
  openssl req -new -key "$PKI/$name.key" -subj "$subj" -out "$PKI/$name.csr" &&
    openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/$ca.crt" -CAkey "$PKI/$ca.key" -CAcreateserial \
      -days 365 -sha256 -extfile "$ext" -out "$PKI/$name.crt"
  rm -f "$PKI/$name.csr" "$ext"
}

PKI_FILES=(ca.crt front-proxy-ca.crt apiserver.crt etcd-server.crt apiserver-etcd-client.crt admin.crt
  controller-manager.crt front-proxy-client.crt sa.key sa.pub)

gen_pki() {
  mkdir -p "$PKI"; chmod 700 "$PKI"
  local k pids=()
  # ECDSA P-256 keys (instant to generate); RSA for the admin client key, which any client
  # library (including Java ones) reads, and for the service-account token signing key (RS256).
  for k in ca front-proxy-ca apiserver etcd-server apiserver-etcd-client controller-manager front-proxy-client; do
    gen_key "$PKI/$k.key" ec
  done
  for k in admin sa; do
    gen_key "$PKI/$k.key" rsa & pids+=($!)
  done
  wait "${pids[@]}" || true
  gen_ca ca capstan-local-ca
  gen_ca front-proxy-ca capstan-local-front-proxy-ca
  local local_san="IP:127.0.0.1,IP:::1,DNS:localhost"
  gen_cert ca apiserver "/CN=kube-apiserver" serverAuth \
    "$local_san,IP:10.0.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  gen_cert ca etcd-server "/CN=etcd" serverAuth,clientAuth "$local_san"
  gen_cert ca apiserver-etcd-client "/CN=kube-apiserver-etcd-client" clientAuth
  gen_cert ca admin "/O=system:masters/CN=capstan-admin" clientAuth
  gen_cert ca controller-manager "/CN=system:kube-controller-manager" clientAuth
  # Aggregation layer (front proxy): lets aggregated API servers (e.g. metrics-server) work.
  gen_cert front-proxy-ca front-proxy-client "/CN=front-proxy-client" clientAuth
  # Service-account token signing key pair (TokenRequest API, legacy token controller).
  openssl pkey -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub"
}

b64() { base64 -w0 <"$1"; }

write_kubeconfig() { # <file> <user> <cert> <key>
  local tmp="$1.tmp"
  cat >"$tmp" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: capstan
  cluster:
    server: https://127.0.0.1:$API_PORT
    certificate-authority-data: $(b64 "$PKI/ca.crt")
users:
- name: $2
  user:
    client-certificate-data: $(b64 "$3")
    client-key-data: $(b64 "$4")
contexts:
- name: capstan
  context:
    cluster: capstan
    user: $2
current-context: capstan
EOF
  chmod 600 "$tmp"
  mv -f "$tmp" "$1"
}

# -------------------------------------------------------------------------- processes

launch() { # <component> <binary> args...
  local name=$1; shift
  # setsid: own session, so a Ctrl-C or a test runner's process-group kill of the caller
  # does not take it down half-way; all fds redirected so callers reading our stdout/stderr
  # through a pipe (Java's ProcessBuilder) see EOF when this script exits.
  setsid "$@" </dev/null >>"$LOGS/$name.log" 2>&1 &
  echo $! >"$RUN/$name.pid"
}

log_tail() { # <component>
  [[ -s "$LOGS/$1.log" ]] || return 0
  printf -- '----- last lines of %s -----\n' "$LOGS/$1.log" >&2
  tail -n 15 "$LOGS/$1.log" >&2 || true
}

# Kill one component: SIGTERM, wait, SIGKILL.
kill_component() { # <component>
  local name=$1 pid deadline
  pid=$(pid_of "$name") || { rm -f "$RUN/$name.pid"; return 0; }
  if alive "$name"; then
    kill -TERM "$pid" 2>/dev/null || true
    deadline=$((SECONDS + STOP_TIMEOUT))
    while kill -0 "$pid" 2>/dev/null && (( SECONDS < deadline )); do sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then
      log "$name (pid $pid) did not exit ${STOP_TIMEOUT}s after SIGTERM; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    fi
  fi
  rm -f "$RUN/$name.pid"
}

kill_all() {
  local w
  if [[ -s "$RUN/watchdog.pid" ]]; then
    w=$(cat "$RUN/watchdog.pid")
    [[ $w != "${WATCHDOG_SELF:-}" ]] && kill -TERM "$w" 2>/dev/null || true
    rm -f "$RUN/watchdog.pid"
  fi
  # The API clients and the API server together, then etcd once nothing writes to it.
  local p1 p2
  kill_component kube-controller-manager & p1=$!
  kill_component kube-apiserver & p2=$!
  wait "$p1" "$p2" || true  # never a bare 'wait': the daemons may be our children
  kill_component etcd
}

# Fails if the component died, printing its log.
require_alive() { # <component>
  if ! alive "$1"; then
    log "$1 exited unexpectedly"
    log_tail "$1"
    return 1
  fi
}

# wait_for <what> <component> <command...>: polls until the command succeeds.
wait_for() {
  local what=$1 comp=$2 t0=$SECONDS last=$SECONDS; shift 2
  local deadline=$((START_DEADLINE))
  until "$@" >/dev/null 2>&1; do
    require_alive "$comp" || return 1
    if (( SECONDS >= deadline )); then
      log "timed out after ${START_TIMEOUT}s waiting for $what"
      log_tail "$comp"
      return 1
    fi
    if (( SECONDS - last >= 10 )); then last=$SECONDS; log "  still waiting for $what ($((SECONDS - t0))s)"; fi
    sleep 0.5
  done
  log "$what (after $((SECONDS - t0))s; ${SECONDS}s since start)"
}

api_ready() { [[ $(kctl get --raw /readyz 2>/dev/null) == ok ]]; }
etcd_ready() {
  [[ $(curl -sS --max-time 2 --cacert "$PKI/ca.crt" --cert "$PKI/apiserver-etcd-client.crt" \
      --key "$PKI/apiserver-etcd-client.key" "https://127.0.0.1:$ETCD_PORT/health" 2>/dev/null) == *'"health":"true"'* ]]
}
etcd_listening() { (exec 3<>"/dev/tcp/127.0.0.1/$ETCD_PORT") 2>/dev/null; }
default_sa() { kctl -n default get serviceaccount default -o name; }

start_components() {
  local etcd_ready_check=etcd_listening
  command -v curl >/dev/null 2>&1 && etcd_ready_check=etcd_ready

  ETCD_PORT=$(pick_port) && ETCD_PEER_PORT=$(pick_port) && API_PORT=$(pick_port) && KCM_PORT=$(pick_port) ||
    return 1
  printf 'ETCD_PORT=%s\nETCD_PEER_PORT=%s\nAPI_PORT=%s\nKCM_PORT=%s\n' \
    "$ETCD_PORT" "$ETCD_PEER_PORT" "$API_PORT" "$KCM_PORT" >"$RUN/ports"

  write_kubeconfig "$KUBECONFIG_FILE" capstan-admin "$PKI/admin.crt" "$PKI/admin.key"
  write_kubeconfig "$STATE/controller-manager.kubeconfig" system:kube-controller-manager \
    "$PKI/controller-manager.crt" "$PKI/controller-manager.key"

  log "starting etcd on 127.0.0.1:$ETCD_PORT"
  mkdir -p "$STATE/etcd"; chmod 700 "$STATE/etcd"
  launch etcd "$BIN/etcd" \
    --name=capstan \
    --data-dir="$STATE/etcd" \
    --listen-client-urls="https://127.0.0.1:$ETCD_PORT" \
    --advertise-client-urls="https://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-advertise-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster="capstan=http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster-state=new \
    --cert-file="$PKI/etcd-server.crt" --key-file="$PKI/etcd-server.key" \
    --trusted-ca-file="$PKI/ca.crt" --client-cert-auth=true \
    --unsafe-no-fsync=true \
    --quota-backend-bytes=2147483648 \
    --log-level=warn
  wait_for "etcd is healthy" etcd "$etcd_ready_check" || return 1

  log "starting kube-apiserver on https://127.0.0.1:$API_PORT"
  launch kube-apiserver "$BIN/kube-apiserver" \
    --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$API_PORT" \
    --cert-dir="$PKI" \
    --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" \
    --client-ca-file="$PKI/ca.crt" \
    --requestheader-client-ca-file="$PKI/front-proxy-ca.crt" \
    --requestheader-allowed-names=front-proxy-client \
    --requestheader-username-headers=X-Remote-User \
    --requestheader-group-headers=X-Remote-Group \
    --requestheader-extra-headers-prefix=X-Remote-Extra- \
    --proxy-client-cert-file="$PKI/front-proxy-client.crt" \
    --proxy-client-key-file="$PKI/front-proxy-client.key" \
    --enable-aggregator-routing=true \
    --etcd-servers="https://127.0.0.1:$ETCD_PORT" \
    --etcd-cafile="$PKI/ca.crt" --etcd-certfile="$PKI/apiserver-etcd-client.crt" \
    --etcd-keyfile="$PKI/apiserver-etcd-client.key" \
    --authorization-mode=Node,RBAC \
    --enable-admission-plugins=NodeRestriction \
    --allow-privileged=true \
    --service-cluster-ip-range=10.0.0.0/24 \
    --endpoint-reconciler-type=none \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-account-key-file="$PKI/sa.pub" \
    --service-account-signing-key-file="$PKI/sa.key" \
    --profiling=false
  wait_for "kube-apiserver /readyz is ok" kube-apiserver api_ready || return 1

  log "starting kube-controller-manager (healthz on https://127.0.0.1:$KCM_PORT)"
  launch kube-controller-manager "$BIN/kube-controller-manager" \
    --kubeconfig="$STATE/controller-manager.kubeconfig" \
    --authentication-kubeconfig="$STATE/controller-manager.kubeconfig" \
    --authorization-kubeconfig="$STATE/controller-manager.kubeconfig" \
    --bind-address=127.0.0.1 --secure-port="$KCM_PORT" \
    --cert-dir="$PKI/controller-manager-serving" \
    --controllers='*' \
    --use-service-account-credentials=true \
    --service-account-private-key-file="$PKI/sa.key" \
    --root-ca-file="$PKI/ca.crt" \
    --cluster-signing-cert-file="$PKI/ca.crt" --cluster-signing-key-file="$PKI/ca.key" \
    --cluster-name=capstan \
    --leader-elect=false \
    --profiling=false
  wait_for "ServiceAccount default/default exists (kube-controller-manager works)" \
    kube-controller-manager default_sa || return 1
}

start_watchdog() {
  local parent=$1
  kill -0 "$parent" 2>/dev/null || die "CAPSTAN_CP_PARENT_PID=$parent is not a running process"
  CAPSTAN_CP_DIR="$STATE" setsid "$SELF" __watchdog "$parent" </dev/null >>"$LOGS/watchdog.log" 2>&1 &
  echo $! >"$RUN/watchdog.pid"
}

# -------------------------------------------------------------------------- commands

cmd_start() {
  if alive kube-apiserver && alive etcd && alive kube-controller-manager; then
    # shellcheck disable=SC1091
    . "$RUN/ports"; BIN=$(bin_dir cached)
    if api_ready; then
      log "already running (state: $STATE)"
      print_env
      return 0
    fi
  fi
  if [[ -d $RUN ]]; then
    log "cleaning up a previous run's leftovers in $STATE"
    kill_all
  fi

  T0=$SECONDS
  log "state dir: $STATE"
  BIN=$(bin_dir) || die "could not build or find the Kubernetes binaries (see the build-k8s output above)"

  rm -rf "${STATE:?}/etcd" "$PKI" "$LOGS" "$RUN" "$KUBECONFIG_FILE" "$STATE/controller-manager.kubeconfig" "$STATE/FAILED"
  mkdir -p "$STATE" "$LOGS" "$RUN"
  echo "$BIN" >"$RUN/bin-dir"
  log "generating certificates and the service-account key pair"
  gen_pki >>"$LOGS/pki.log" 2>&1 || true
  local f
  for f in "${PKI_FILES[@]}"; do
    [[ -s $PKI/$f ]] || { date -u +%FT%TZ >"$STATE/FAILED"; die "certificate generation with openssl failed ($PKI/$f missing)"; }
  done
  log "certificates ready (${SECONDS}s since start)"

  local attempt
  for attempt in 1 2 3; do
    START_DEADLINE=$((SECONDS + START_TIMEOUT))
    if start_components; then
      [[ -n ${CAPSTAN_CP_PARENT_PID:-} ]] && start_watchdog "$CAPSTAN_CP_PARENT_PID"
      log "ready in $((SECONDS - T0))s: kubeconfig $KUBECONFIG_FILE (API https://127.0.0.1:$API_PORT)"
      print_env
      return 0
    fi
    kill_all
    # A port taken between our check and the bind: retry with new ports.
    if (( attempt < 3 )) && grep -qsi "address already in use" "$LOGS"/*.log; then
      log "a port was taken meanwhile; retrying with new ports (attempt $((attempt + 1)))"
      for f in "$LOGS"/*.log; do mv -f "$f" "$f.attempt$attempt"; done
      rm -rf "${STATE:?}/etcd"
      continue
    fi
    break
  done
  date -u +%FT%TZ >"$STATE/FAILED"
  die "start FAILED after $((SECONDS - T0))s; logs kept in $LOGS"
}

cmd_stop() {
  if [[ ! -d $RUN ]]; then
    log "not running (no state in $STATE)"
    return 0
  fi
  local failed=0 c
  [[ -e $STATE/FAILED ]] && failed=1
  for c in "${COMPONENTS[@]}"; do
    if [[ -s "$RUN/$c.pid" ]] && ! alive "$c"; then
      log "$c had already exited: the run failed; keeping logs"
      failed=1
    fi
  done
  log "stopping (state: $STATE)"
  kill_all
  rm -rf "$RUN"
  if [[ ${KEEP_LOGS:-0} == 1 || $failed == 1 ]]; then
    (( failed )) && date -u +%FT%TZ >"$STATE/FAILED"
    log "stopped; logs kept in $LOGS"
  else
    rm -rf "${STATE:?}/etcd" "$PKI" "$LOGS" "$KUBECONFIG_FILE" "$STATE/controller-manager.kubeconfig" "$STATE/FAILED"
    # The default dir is ours; a caller-provided dir is left (empty) for its owner.
    [[ $STATE == "$DEFAULT_DIR" ]] && rmdir "$STATE" 2>/dev/null || true
    log "stopped; state removed"
  fi
}

cmd_status() {
  if [[ ! -d $RUN ]]; then
    log "not running (state dir: $STATE)"
    return 3
  fi
  local c up=0
  for c in "${COMPONENTS[@]}"; do
    if alive "$c"; then log "$c: running (pid $(pid_of "$c"))"; up=$((up + 1)); else log "$c: NOT running"; fi
  done
  (( up == 0 )) && return 3
  # shellcheck disable=SC1091
  . "$RUN/ports"; BIN=$(bin_dir cached)
  if (( up == ${#COMPONENTS[@]} )) && api_ready; then
    log "ready: https://127.0.0.1:$API_PORT, kubeconfig $KUBECONFIG_FILE"
    return 0
  fi
  log "not ready (logs in $LOGS)"
  return 1
}

cmd_env() {
  [[ -s $KUBECONFIG_FILE ]] || die "no kubeconfig in $STATE; run '$SELF start' first"
  print_env
}

# Internal: stops the control plane when the parent process exits.
cmd_watchdog() {
  local parent=$1
  WATCHDOG_SELF=$$
  while kill -0 "$parent" 2>/dev/null && [[ -d $RUN ]]; do sleep 2; done
  if [[ -d $RUN ]]; then
    log "$(date -u +%FT%TZ) parent process $parent is gone; stopping the control plane"
    rm -f "$RUN/watchdog.pid"
    cmd_stop
  fi
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  env) cmd_env ;;
  __watchdog) cmd_watchdog "$2" ;;
  -h|--help|help) usage; exit 0 ;;
  *) usage; exit 2 ;;
esac
