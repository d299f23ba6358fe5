/**
 * What every data-plane server shares: event loops, the admin HTTP endpoint (/health,
 * /metrics, /status), configuration files and the command line.
 */
package dev.capstan.dataplane.server;
