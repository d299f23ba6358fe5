/** The servers of a balancer: membership from configuration and discovery, health, the pick. */
package dev.capstan.dataplane.lb.pool;
