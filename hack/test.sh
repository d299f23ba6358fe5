#!/usr/bin/env bash
# The test command: unit tests of every module, then the e2e scenarios against a real
# kube-apiserver + etcd + kube-controller-manager built from source (hack/build-k8s.sh;
# the first build takes ~20 minutes and is cached outside the repository).
#
# Extra arguments go to Maven, e.g.  hack/test.sh -DskipE2E   or   hack/test.sh -pl controllers
set -Eeuo pipefail
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT"
START=$SECONDS

echo "==> control-plane binaries (hack/build-k8s.sh)" >&2
hack/build-k8s.sh >/dev/null
echo "==> [$((SECONDS - START))s] ./mvnw verify" >&2
./mvnw -B -ntp verify "$@"
echo "==> [$((SECONDS - START))s] all tests passed" >&2
