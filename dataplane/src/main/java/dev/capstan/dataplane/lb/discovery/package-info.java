/** The servers of Service backends, from their EndpointSlices (fabric8 informer). */
package dev.capstan.dataplane.lb.discovery;
