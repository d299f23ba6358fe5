/**
 * The contract between the TSDB's storage engine ({@code tsdb.engine}) and what reads and
 * manages it (InfluxQL, the HTTP API): databases, retention policies, the series index and
 * time-ordered columns per series and field. Implementations are thread-safe.
 */
package dev.capstan.dataplane.tsdb.store;
