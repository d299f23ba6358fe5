/**
 * Capstan's data plane: the servers a custom resource's pods run — {@code tsdb} (InfluxDB 1.x
 * HTTP API), {@code lb} (L4/L7 balancer) and {@code broker} (Kafka wire protocol) — and what they
 * share. Each reads the configuration the operator renders (see {@code dev.capstan.api.config}).
 * The servers arrive with their own issues; this module builds so that they have a home.
 */
package dev.capstan.dataplane;
