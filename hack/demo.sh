#!/usr/bin/env bash
# The local demo: a real Kubernetes control plane (built from source by build-k8s.sh),
# Capstan installed by its Helm chart, the operator running from its jar as the chart's
# ServiceAccount, and every sample in samples/ applied.
#
#   hack/demo.sh          start (or show) the demo; prints kubectl get of the resources
#   hack/demo.sh stop     stop the operator and the control plane, remove the state
#   hack/demo.sh status   kubectl get of the Capstan resources
#
# The control plane has no kubelet; a stand-in (dev.capstan.e2e.kubelet.LocalKubelet) runs
# the data-plane pods as local processes, each on an address of its own (198.18.x.y, made
# local by a route when run as root; 127.1.x.y otherwise, and then Services list no endpoints),
# and reports their status, so StatefulSets, EndpointSlices and Capstan's conditions behave as
# on a node. Pods of other images stay Pending.
#
# Environment: CAPSTAN_DEMO_DIR (state, default ${TMPDIR:-/tmp}/capstan-demo-$UID),
# CAPSTAN_DEMO_PORT (operator health/metrics port, default 18080).
set -Eeuo pipefail

ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
STATE=${CAPSTAN_DEMO_DIR:-${TMPDIR:-/tmp}/capstan-demo-$(id -u)}
PORT=${CAPSTAN_DEMO_PORT:-18080}
NS=demo
SYSTEM_NS=capstan-system
export CAPSTAN_CP_DIR="$STATE/control-plane"
START=$SECONDS

step() { printf '\n==> [%3ss] %s\n' "$((SECONDS - START))" "$*" >&2; }
die() { printf 'demo: %s\n' "$*" >&2; exit 1; }

kube() { kubectl --kubeconfig "$CAPSTAN_CP_DIR/kubeconfig" "$@"; }

operator_running() { [[ -s "$STATE/operator.pid" ]] && kill -0 "$(cat "$STATE/operator.pid")" 2>/dev/null; }
kubelet_running() { [[ -s "$STATE/kubelet.pid" ]] && kill -0 "$(cat "$STATE/kubelet.pid")" 2>/dev/null; }

show() {
  kube get tsdbclusters,loadbalancers,messagebrokers,messagetopics -n "$NS" >&2
  echo >&2
  kube get pods -n "$NS" -o wide >&2
  cat >&2 <<EOT

Try:   export KUBECONFIG=$CAPSTAN_CP_DIR/kubeconfig PATH=$BIN:\$PATH
       influx -host <metrics-0 IP> -database telegraf -execute 'SHOW MEASUREMENTS'
       kcat -b <events-0 IP>:9092 -L
       influx -host <metrics-gateway pod IP> -database telegraf -execute 'SHOW MEASUREMENTS'   # through the balancer
       kubectl get statefulsets,deployments,services,configmaps,pdb -n $NS
       kubectl describe tsdbcluster metrics -n $NS
       kubectl annotate tsdbcluster metrics -n $NS capstan.dev/paused=true
       curl -s localhost:$PORT/metrics | grep capstan_
Logs:  $STATE/operator.log, $STATE/kubelet.log, $STATE/kubelet/pods/*/log
Stop:  hack/demo.sh stop
EOT
}

cmd_stop() {
  if kubelet_running; then
    step "stopping the local kubelet and the data-plane processes"
    kill "$(cat "$STATE/kubelet.pid")" || true
    for _ in $(seq 1 30); do kubelet_running || break; sleep 1; done
  fi
  rm -f "$STATE/kubelet.pid"
  if operator_running; then
    step "stopping the operator"
    kill "$(cat "$STATE/operator.pid")" || true
    for _ in $(seq 1 30); do operator_running || break; sleep 1; done
    operator_running && kill -9 "$(cat "$STATE/operator.pid")" || true
  fi
  rm -f "$STATE/operator.pid"
  step "stopping the control plane"
  "$ROOT/hack/control-plane.sh" stop || true
  rm -rf "$STATE"
  step "stopped"
}

cmd_start() {
  mkdir -p "$STATE"
  step "building Capstan (./mvnw package, tests skipped)"
  (cd "$ROOT" && ./mvnw -B -q -ntp -DskipTests -DskipE2E package) || die "the build failed; run ./mvnw package to see why"

  step "building or finding kube-apiserver, etcd, kubectl and helm (the first build takes ~20 min)"
  BIN=$("$ROOT/hack/build-k8s.sh")
  export PATH="$BIN:$PATH"

  step "starting the local control plane"
  "$ROOT/hack/control-plane.sh" start >/dev/null

  step "installing Capstan with Helm (CRDs, RBAC, ServiceAccount)"
  if ! helm --kubeconfig "$CAPSTAN_CP_DIR/kubeconfig" status capstan -n "$SYSTEM_NS" >/dev/null 2>&1; then
    # The control plane runs no pods, so the operator runs here from its jar instead of
    # from the chart's Deployment, with the chart's ServiceAccount and RBAC.
    helm --kubeconfig "$CAPSTAN_CP_DIR/kubeconfig" install capstan "$ROOT/helm/capstan" \
      -n "$SYSTEM_NS" --create-namespace --set replicaCount=0 --wait >/dev/null
  fi

  if ! operator_running; then
    step "starting the operator as ServiceAccount $SYSTEM_NS/capstan"
    local token server
    token=$(kube create token capstan -n "$SYSTEM_NS" --duration=24h)
    server=$(kube config view --minify -o jsonpath='{.clusters[0].cluster.server}')
    kube config view --raw --minify -o jsonpath='{.clusters[0].cluster.certificate-authority-data}' | base64 -d > "$STATE/ca.crt"
    local kc="$STATE/operator.kubeconfig"
    kubectl --kubeconfig "$kc" config set-cluster local --server "$server" --certificate-authority "$STATE/ca.crt" --embed-certs >/dev/null
    kubectl --kubeconfig "$kc" config set-credentials capstan --token "$token" >/dev/null
    kubectl --kubeconfig "$kc" config set-context capstan --cluster local --user capstan --namespace "$SYSTEM_NS" >/dev/null
    kubectl --kubeconfig "$kc" config use-context capstan >/dev/null
    # Cluster names (brokers' bootstrap Services) resolve through the local kubelet's hosts file.
    KUBECONFIG="$kc" POD_NAMESPACE="$SYSTEM_NS" POD_NAME=capstan-demo CAPSTAN_LEASE_NAME=capstan \
      CAPSTAN_HTTP_PORT="$PORT" JAVA_TOOL_OPTIONS="-Djdk.net.hosts.file=$STATE/kubelet/hosts" nohup java -jar "$ROOT/operator/target/capstan-operator.jar" \
      >"$STATE/operator.log" 2>&1 &
    echo $! >"$STATE/operator.pid"
    for _ in $(seq 1 60); do
      curl -fs "localhost:$PORT/readyz" >/dev/null 2>&1 && break
      operator_running || die "the operator exited; see $STATE/operator.log"
      sleep 1
    done
    curl -fs "localhost:$PORT/readyz" >/dev/null || die "the operator is not ready after 60s; see $STATE/operator.log"
  fi

  if ! kubelet_running; then
    step "starting the local kubelet (data-plane pods as local processes; logs in $STATE/kubelet)"
    mkdir -p "$STATE/kubelet"
    (cd "$ROOT" && ./mvnw -B -q -ntp -pl e2e dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile="$STATE/kubelet.cp" >/dev/null) \
      || die "cannot compute the local kubelet's classpath; run ./mvnw -pl e2e dependency:build-classpath"
    KUBECONFIG="$CAPSTAN_CP_DIR/kubeconfig" nohup java -Xmx256m -cp "$ROOT/e2e/target/classes:$(cat "$STATE/kubelet.cp")" \
      dev.capstan.e2e.kubelet.LocalKubelet "$STATE/kubelet" "$ROOT/dataplane/target/capstan-dataplane.jar" \
      >"$STATE/kubelet.log" 2>&1 &
    echo $! >"$STATE/kubelet.pid"
  fi

  step "applying samples/ to namespace $NS"
  kube create namespace "$NS" >/dev/null 2>&1 || true
  kube apply -n "$NS" -f "$ROOT/samples/" >&2

  step "waiting for every resource to report its status"
  for _ in $(seq 1 60); do
    pending=$(kube get tsdbclusters,loadbalancers,messagebrokers,messagetopics -n "$NS" \
      -o jsonpath='{range .items[?(@.status.observedGeneration)]}{.metadata.name}{"\n"}{end}' | wc -l)
    total=$(kube get tsdbclusters,loadbalancers,messagebrokers,messagetopics -n "$NS" -o name | wc -l)
    [[ $pending -ge $total ]] && break
    sleep 1
  done

  step "waiting for the data plane: TsdbCluster metrics and MessageBroker events Ready (pods run by the local kubelet)"
  kube wait --for=condition=Ready --timeout=180s -n "$NS" tsdbcluster/metrics messagebroker/events >&2 \
    || die "the data plane is not ready; see $STATE/kubelet.log and $STATE/kubelet/pods/*/log"
  local tsdb_ip
  tsdb_ip=$(kube get pod metrics-0 -n "$NS" -o jsonpath='{.status.podIP}')
  step "the TSDB answers: a point written to http://$tsdb_ip:8086 and read back"
  curl -fsS -XPOST "http://$tsdb_ip:8086/write?db=telegraf&precision=s" --data-binary "demo,host=$(hostname) up=1 $(date +%s)" >&2
  curl -fsS "http://$tsdb_ip:8086/query?db=telegraf" --data-urlencode "q=SELECT * FROM demo" >&2
  echo >&2

  # The balancer of samples/lb-tsdb-gateway.yaml in front of that node: it finds the node in
  # the EndpointSlices of Service "metrics" and sends traffic once /ping passes its check.
  step "the balancer answers: /ping through LoadBalancer metrics-gateway to the TSDB"
  kube wait --for=condition=Ready --timeout=120s -n "$NS" loadbalancer/metrics-gateway >&2 \
    || die "the balancer is not ready; see $STATE/kubelet.log and $STATE/kubelet/pods/*/log"
  local lb_ip code=000
  lb_ip=$(kube get pods -n "$NS" -l app.kubernetes.io/instance=metrics-gateway -o jsonpath='{.items[0].status.podIP}')
  for _ in $(seq 1 30); do
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://$lb_ip:8086/ping" || true)
    [[ $code == 204 ]] && break
    sleep 1
  done
  if [[ $code == 204 ]]; then
    echo "http://$lb_ip:8086/ping answered 204 through the balancer" >&2
  else
    echo "http://$lb_ip:8086/ping answered $code: without root, pods get 127.1.0.0/16 addresses, which Kubernetes leaves out of EndpointSlices, so the balancer has no servers (see README)" >&2
  fi

  step "Capstan is running ($((SECONDS - START))s)"
  show
}

case "${1:-start}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) BIN=$("$ROOT/hack/build-k8s.sh"); export PATH="$BIN:$PATH"; show ;;
  -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//' ;;
  *) die "unknown command '$1'; use start, stop or status" ;;
esac
