package dev.capstan.dataplane.tsdb.influxql;

/**
 * The defaults a query runs with: the {@code db} and {@code rp} parameters of {@code /query},
 * either may be {@code null}.
 */
public record QueryContext(String database, String retentionPolicy) {}
