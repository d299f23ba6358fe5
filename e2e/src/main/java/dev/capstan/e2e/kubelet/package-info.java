/**
 * A stand-in kubelet for clusters without nodes (the local control plane of hack/): it runs the
 * pods of Capstan's data-plane image as local processes, each on its own loopback address,
 * and reports their status, so StatefulSets, EndpointSlices and Capstan's status conditions
 * behave as on a real node. Test and demo infrastructure, not part of the product.
 */
package dev.capstan.e2e.kubelet;
