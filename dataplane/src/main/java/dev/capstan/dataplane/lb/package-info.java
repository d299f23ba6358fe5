/**
 * The load balancer a LoadBalancer's pods run ({@code lb --config lb.yaml}): {@link
 * dev.capstan.dataplane.lb.LbMain} reads the configuration, {@link dev.capstan.dataplane.lb.LbServer}
 * wires the listeners (HTTP or TCP proxies), the pool of servers with its health checks and
 * discovery, the admin endpoint, reloads and the drain at shutdown.
 */
package dev.capstan.dataplane.lb;
