#!/usr/bin/env bash
# Proves the local control plane works: starts it in a fresh temp state dir, checks
# /readyz, versions, CRD validation with a CEL rule, Deployment -> ReplicaSet -> Pods
# (kube-controller-manager), garbage collection, TokenRequest and helm; then stops it.
#
#   hack/smoke-test.sh [ROUNDS]     (default 1; each round is a full start/check/stop)
#
# Exit 0 if every check passed. On failure the state dir (with logs) is kept and named.
set -Eeuo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
CP="$SCRIPT_DIR/control-plane.sh"
ROUNDS=${1:-1}
PASSED=0
FAILED=0

say() { printf '[smoke] %s\n' "$*" >&2; }

check() { # <description> <command...>
  local d=$1; shift
  if "$@"; then
    PASSED=$((PASSED + 1)); say "ok   $d"
  else
    FAILED=$((FAILED + 1)); say "FAIL $d"
  fi
}

# Polls a command for up to <secs> seconds.
eventually() { # <secs> <command...>
  local deadline=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do
    (( SECONDS < deadline )) || return 1
    sleep 1
  done
}

round() {
  export CAPSTAN_CP_DIR
  CAPSTAN_CP_DIR=$(mktemp -d "${TMPDIR:-/tmp}/capstan-smoke.XXXXXX")
  local t0=$SECONDS
  if ! eval "$("$CP" start)"; then
    FAILED=$((FAILED + 1)); say "FAIL control-plane start (logs in $CAPSTAN_CP_DIR/logs)"
    return
  fi
  PASSED=$((PASSED + 1)); say "ok   control-plane start (${SECONDS}s total, $((SECONDS - t0))s this round)"
  local k="kubectl --request-timeout=10s"

  check "status reports ready" "$CP" status
  check "env prints the kubeconfig" bash -c '[[ $("$0" env) == *"KUBECONFIG=$CAPSTAN_CP_DIR/kubeconfig"* ]]' "$CP"
  check "kubectl is the built one" bash -c '[[ $(command -v kubectl) != /usr/* ]]'
  check "/readyz is ok" bash -c "[[ \$($k get --raw /readyz) == ok ]]"
  local ver
  ver=$($k version 2>&1 || true)
  say "kubectl version: $(echo "$ver" | tr '\n' ' ')"
  check "kubectl version shows client and server v1.x" \
    bash -c '[[ $1 == *"Client Version: v1."* && $1 == *"Server Version: v1."* && $1 != *v0.0.0* && $1 != *WARNING* ]]' _ "$ver"

  # CRD with a CEL validation rule.
  $k apply -f - >/dev/null <<'EOF'
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.smoke.capstan.dev
spec:
  group: smoke.capstan.dev
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              min: {type: integer}
              max: {type: integer}
            x-kubernetes-validations:
            - rule: "self.min <= self.max"
              message: "min must not exceed max"
EOF
  check "CRD becomes Established" eventually 30 $k wait --for=condition=Established --timeout=5s crd/widgets.smoke.capstan.dev
  check "a valid Widget is accepted" bash -c "$k apply -f - <<'EOF' >/dev/null
apiVersion: smoke.capstan.dev/v1
kind: Widget
metadata: {name: good, namespace: default}
spec: {min: 1, max: 3}
EOF"
  local out
  out=$($k apply -f - 2>&1 <<'EOF' || true
apiVersion: smoke.capstan.dev/v1
kind: Widget
metadata: {name: bad, namespace: default}
spec: {min: 5, max: 3}
EOF
)
  say "invalid Widget -> $out"
  check "a Widget violating the CEL rule is rejected" bash -c '[[ $1 == *"min must not exceed max"* ]] && ! $0 get widget bad -n default >/dev/null 2>&1' "$k" "$out"

  # Controller manager: Deployment -> ReplicaSet -> Pods; then garbage collection.
  $k -n default create deployment smoke --image=registry.invalid/none:1 --replicas=2 >/dev/null
  check "Deployment creates a ReplicaSet" eventually 60 bash -c "[[ -n \$($k -n default get rs -l app=smoke -o name) ]]"
  check "ReplicaSet creates 2 Pods (Pending: no kubelet)" eventually 60 \
    bash -c "[[ \$($k -n default get pods -l app=smoke -o name | wc -l) -eq 2 ]]"
  $k -n default get deploy,rs,pods -l app=smoke >&2 || true
  $k -n default delete deployment smoke --wait=false >/dev/null
  check "garbage collector removes ReplicaSet and Pods" eventually 90 \
    bash -c "[[ -z \$($k -n default get rs,pods -l app=smoke -o name) ]]"

  # TokenRequest.
  local tok
  tok=$($k -n default create token default --duration=10m 2>&1 || true)
  check "kubectl create token (TokenRequest) returns a JWT" bash -c '[[ $1 =~ ^eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$ ]]' _ "$tok"
  check "the token authenticates as the ServiceAccount" bash -c \
    "[[ \$(kubectl --kubeconfig=/dev/null --server=\$(kubectl config view --minify -o jsonpath='{.clusters[0].cluster.server}') \
      --certificate-authority=$CAPSTAN_CP_DIR/pki/ca.crt --token=\$1 auth whoami -o jsonpath='{.status.userInfo.username}') \
      == system:serviceaccount:default:default ]]" _ "$tok"

  local hv
  hv=$(HELM_CACHE_HOME="$CAPSTAN_CP_DIR/helm" HELM_CONFIG_HOME="$CAPSTAN_CP_DIR/helm" HELM_DATA_HOME="$CAPSTAN_CP_DIR/helm" helm version 2>&1 || true)
  say "helm version: $hv"
  check "helm version reports a v3 release" bash -c '[[ $1 == *"Version:\"v3."* && $1 != *unreleased* ]]' _ "$hv"
  check "helm reaches the cluster (helm list)" env HELM_CACHE_HOME="$CAPSTAN_CP_DIR/helm" HELM_CONFIG_HOME="$CAPSTAN_CP_DIR/helm" \
    HELM_DATA_HOME="$CAPSTAN_CP_DIR/helm" helm list -A

  local keep=0
  (( FAILED > 0 )) && keep=1
  t0=$SECONDS
  if KEEP_LOGS=$keep "$CP" stop; then
    PASSED=$((PASSED + 1)); say "ok   control-plane stop ($((SECONDS - t0))s)"
  else
    FAILED=$((FAILED + 1)); say "FAIL control-plane stop"
  fi
  check "status reports not running after stop" bash -c '"$0" status; [[ $? == 3 ]]' "$CP"
  if (( keep )); then say "logs kept in $CAPSTAN_CP_DIR"; else rmdir "$CAPSTAN_CP_DIR" 2>/dev/null || true; fi
}

for r in $(seq 1 "$ROUNDS"); do
  say "=== round $r of $ROUNDS"
  round
done
echo "$PASSED passed, $FAILED failed"
(( FAILED == 0 ))
