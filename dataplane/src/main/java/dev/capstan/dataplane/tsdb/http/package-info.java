/**
 * The InfluxDB 1.x HTTP API of a TSDB node ({@code /write}, {@code /query}, {@code /ping},
 * {@code /health}, {@code /metrics}), answering as influxd 1.6.7 does so that its clients
 * (the {@code influx} CLI, Telegraf, Grafana, client libraries) work unchanged.
 *
 * <p>{@link dev.capstan.dataplane.tsdb.http.InfluxApi} is the whole behaviour as a function of a
 * request; {@link dev.capstan.dataplane.tsdb.http.InfluxHttpServer} is the Netty edge that feeds
 * it, off the event loop.
 */
package dev.capstan.dataplane.tsdb.http;
