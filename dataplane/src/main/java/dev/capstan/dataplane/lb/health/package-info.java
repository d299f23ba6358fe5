/** Server health: the pure state machine of probes and passive ejection, and the prober. */
package dev.capstan.dataplane.lb.health;
