/**
 * The balancer's choice of server: the six algorithms of a LoadBalancer's spec as pure,
 * thread-safe selection over the healthy servers, each with its load as the proxy counts it.
 * No sockets, threads or wall clock: the proxy passes the healthy servers, a monotonic clock
 * and a random source. {@link dev.capstan.dataplane.lb.balancing.Balancers} makes one from the
 * configuration.
 */
package dev.capstan.dataplane.lb.balancing;
