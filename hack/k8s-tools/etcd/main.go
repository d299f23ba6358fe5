// Command etcd is the etcd server, built from the upstream module
// go.etcd.io/etcd/server/v3 at the version pinned in go.mod. It exists only so that
// hack/build-k8s.sh can build an etcd binary through the Go module proxy; it is
// test infrastructure for Capstan's local control plane, not part of the product.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
