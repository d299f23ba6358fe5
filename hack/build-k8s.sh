#!/usr/bin/env bash
# Builds the local Kubernetes control-plane tools from their upstream Go modules
# (through the Go module proxy) and caches them outside the repository:
#
#   kube-apiserver, kube-controller-manager, kubectl   k8s.io/kubernetes  (hack/k8s-tools/kubernetes)
#   etcd                                               go.etcd.io/etcd/server/v3 (hack/k8s-tools/etcd)
#   helm                                               helm.sh/helm/v3    (hack/k8s-tools/helm)
#
# The pinned versions are the ones in hack/k8s-tools/*/go.mod; nothing else pins them.
#
# Output: progress goes to stderr; the ONLY line on stdout is the directory holding the
# binaries, so callers can do   BIN=$(hack/build-k8s.sh)
# A second run finds the binaries (checking each one's reported version) and exits in
# about a second.
#
# Environment:
#   CAPSTAN_TOOLS_DIR   cache root (default ${XDG_CACHE_HOME:-$HOME/.cache}/capstan/tools)
#   CAPSTAN_TOOLS_FORCE=1   rebuild even if the cached binaries look right
#   GOMODCACHE, GOCACHE, GOPROXY ... the usual Go variables are honoured
#
# Exit codes: 0 ok, 1 build failed, 2 usage / missing prerequisite.
set -Eeuo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
SRC_DIR="$SCRIPT_DIR/k8s-tools"
# Bump when the way the binaries are built changes (flags, ldflags) so caches are rebuilt.
RECIPE=3

log() { printf '[build-k8s] %s\n' "$*" >&2; }
die() { printf '[build-k8s] ERROR: %s\n' "$*" >&2; exit "${2:-1}"; }

usage() {
  cat >&2 <<'EOF'
usage: hack/build-k8s.sh [--force] [--print-versions]
  Builds (or finds in the cache) kube-apiserver, kube-controller-manager, kubectl, etcd
  and helm; prints the bin directory on stdout.
EOF
}

FORCE=${CAPSTAN_TOOLS_FORCE:-0}
PRINT_VERSIONS=0
for a in "$@"; do
  case "$a" in
    --force) FORCE=1 ;;
    --print-versions) PRINT_VERSIONS=1 ;;
    -h|--help) usage; exit 0 ;;
    *) usage; exit 2 ;;
  esac
done

command -v go >/dev/null 2>&1 || die "the 'go' command is not on PATH (need Go >= 1.26)" 2

# The version of a module required in one of the k8s-tools go.mod files.
mod_version() { # <dir> <module path>
  awk -v m="$2" '$1 == m && $2 ~ /^v/ { print $2; exit } $1 == "require" && $2 == m { print $3; exit }' \
    "$SRC_DIR/$1/go.mod"
}

K8S_VERSION=$(mod_version kubernetes k8s.io/kubernetes)
ETCD_VERSION=$(mod_version etcd go.etcd.io/etcd/server/v3)
HELM_VERSION=$(mod_version helm helm.sh/helm/v3)
HELM_K8S_VERSION=$(mod_version helm k8s.io/client-go) # helm reports the k8s minor it was built against
[[ -n $K8S_VERSION && -n $ETCD_VERSION && -n $HELM_VERSION && -n $HELM_K8S_VERSION ]] ||
  die "could not read the pinned versions from $SRC_DIR/*/go.mod" 2

if (( PRINT_VERSIONS )); then
  printf 'kubernetes %s\netcd %s\nhelm %s\n' "$K8S_VERSION" "$ETCD_VERSION" "$HELM_VERSION"
  exit 0
fi

# Cache key: the versions plus a hash of everything that determines the build.
INPUT_HASH=$( { echo "recipe=$RECIPE"; cat "$SRC_DIR"/*/go.mod "$SRC_DIR"/*/go.sum "$SRC_DIR"/etcd/main.go; } |
  sha256sum | cut -c1-10)
KEY="k8s-${K8S_VERSION}_etcd-${ETCD_VERSION}_helm-${HELM_VERSION}_${INPUT_HASH}"
TOOLS_ROOT=${CAPSTAN_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/capstan/tools}
OUT="$TOOLS_ROOT/$KEY"
BIN="$OUT/bin"
LOGS="$OUT/logs"
mkdir -p "$BIN" "$LOGS"

# --- version checks -----------------------------------------------------------------
# Each prints nothing and succeeds iff the binary exists and reports the pinned version.
check_version() { # <name>
  local b="$BIN/$1" out
  [[ -x $b ]] || return 1
  case "$1" in
    kube-apiserver|kube-controller-manager)
      out=$("$b" --version 2>/dev/null) || return 1
      [[ $out == "Kubernetes $K8S_VERSION" ]] ;;
    kubectl)
      out=$("$b" version --client -o json 2>/dev/null) || return 1
      [[ $out == *"\"gitVersion\": \"$K8S_VERSION\""* ]] ;;
    etcd)
      out=$("$b" --version 2>/dev/null) || return 1
      [[ $out == *"etcd Version: ${ETCD_VERSION#v}"* ]] ;;
    helm)
      out=$(HELM_CACHE_HOME="$OUT/.helm" HELM_CONFIG_HOME="$OUT/.helm" HELM_DATA_HOME="$OUT/.helm" \
        "$b" version --template '{{.Version}}' 2>/dev/null) || return 1
      [[ $out == "$HELM_VERSION" ]] ;;
    *) return 1 ;;
  esac
}

TOOLS=(etcd kube-apiserver kube-controller-manager kubectl helm)

all_ok() {
  local t
  for t in "${TOOLS[@]}"; do check_version "$t" || return 1; done
}

if [[ $FORCE != 1 ]] && all_ok; then
  log "cached: kubernetes $K8S_VERSION, etcd $ETCD_VERSION, helm $HELM_VERSION in $BIN"
  echo "$BIN"
  exit 0
fi

# Only one build per cache entry at a time (parallel test JVMs may call us together).
exec 9>"$OUT/.lock"
if ! flock -n 9; then
  log "another build of $KEY is running; waiting for it"
  flock 9
  if [[ $FORCE != 1 ]] && all_ok; then
    log "cached: kubernetes $K8S_VERSION, etcd $ETCD_VERSION, helm $HELM_VERSION in $BIN"
    echo "$BIN"
    exit 0
  fi
fi

# --- ldflags --------------------------------------------------------------------------
# Kubernetes: as hack/lib/version.sh does (client-go and component-base version vars).
# The module zip carries no git metadata, so gitCommit stays empty and the tree state is
# "archive" (what upstream uses for builds from a source archive). buildDate is the
# release's publication time from the module proxy, so rebuilds are reproducible.
K8S_BUILD_DATE=$(cd "$SRC_DIR/kubernetes" && GOWORK=off GOFLAGS=-mod=readonly go list -m -json k8s.io/kubernetes 2>/dev/null |
  sed -n 's/.*"Time": "\([^"]*\)".*/\1/p' | head -1) || true
K8S_BUILD_DATE=${K8S_BUILD_DATE:-1970-01-01T00:00:00Z}
k8s_major=${K8S_VERSION#v}; k8s_major=${k8s_major%%.*}
k8s_minor=${K8S_VERSION#v*.}; k8s_minor=${k8s_minor%%.*}
K8S_LDFLAGS="-s -w"
for pkg in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
  K8S_LDFLAGS+=" -X '$pkg.gitVersion=$K8S_VERSION' -X '$pkg.gitMajor=$k8s_major' -X '$pkg.gitMinor=$k8s_minor'"
  K8S_LDFLAGS+=" -X '$pkg.gitTreeState=archive' -X '$pkg.buildDate=$K8S_BUILD_DATE'"
done

# Helm: as its Makefile does for a tagged release.
helm_k8s_minor=${HELM_K8S_VERSION#v0.}; helm_k8s_minor=${helm_k8s_minor%%.*}
HELM_LDFLAGS="-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
HELM_LDFLAGS+=" -X helm.sh/helm/v3/internal/version.metadata= -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
for pkg in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
  HELM_LDFLAGS+=" -X $pkg.k8sVersionMajor=1 -X $pkg.k8sVersionMinor=$helm_k8s_minor"
done

# --- build ----------------------------------------------------------------------------
export GOWORK=off CGO_ENABLED=0
# -mod=readonly: the committed go.sum must be complete; a build never edits the repository.
export GOFLAGS="-mod=readonly -buildvcs=false"

build_one() { # <name> <module dir> <package> <ldflags>
  local name=$1 dir=$2 pkg=$3 ldflags=$4
  local logf="$LOGS/build-$name.log" tmp="$BIN/.$name.tmp.$$" start=$SECONDS pid rc last=0
  if [[ $FORCE != 1 ]] && check_version "$name"; then
    log "$name: cached"
    return 0
  fi
  log "$name: building $pkg (log: $logf)"
  (
    cd "$SRC_DIR/$dir"
    echo "# $(date -u +%FT%TZ) go build $pkg ($(go version))"
    exec nice -n 10 go build -trimpath -ldflags="$ldflags" -o "$tmp" "$pkg"
  ) >"$logf" 2>&1 &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    if (( SECONDS - last >= 60 )) && (( SECONDS - start >= 60 )); then
      last=$SECONDS
      log "$name: still building ($((SECONDS - start))s)"
    fi
  done
  rc=0; wait "$pid" || rc=$?
  if (( rc != 0 )); then
    rm -f "$tmp"
    tail -n 25 "$logf" >&2 || true
    die "FAILED to build $name ($pkg, exit $rc) after $((SECONDS - start))s; full log: $logf"
  fi
  mv -f "$tmp" "$BIN/$name"
  if ! check_version "$name"; then
    die "FAILED: $name was built but does not report the pinned version; binary: $BIN/$name, log: $logf"
  fi
  log "$name: built in $((SECONDS - start))s"
}

T0=$SECONDS
log "building kubernetes $K8S_VERSION, etcd $ETCD_VERSION, helm $HELM_VERSION into $BIN ($(go version | awk '{print $3}'))"
build_one etcd etcd capstan.dev/hack/k8s-tools/etcd "-s -w"
build_one kube-apiserver kubernetes k8s.io/kubernetes/cmd/kube-apiserver "$K8S_LDFLAGS"
build_one kube-controller-manager kubernetes k8s.io/kubernetes/cmd/kube-controller-manager "$K8S_LDFLAGS"
build_one kubectl kubernetes k8s.io/kubernetes/cmd/kubectl "$K8S_LDFLAGS"
build_one helm helm helm.sh/helm/v3/cmd/helm "$HELM_LDFLAGS"
rm -rf "$OUT/.helm"
log "done in $((SECONDS - T0))s: $BIN"
echo "$BIN"
