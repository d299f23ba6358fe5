/**
 * The data path: Netty handlers for HTTP (L7, per-request choice, pooled keep-alive server
 * connections per event loop, streaming, retries, upgrades) and TCP (L4, per-connection choice,
 * byte splice with half-close), all on the client connection's own event loop.
 */
package dev.capstan.dataplane.lb.proxy;
