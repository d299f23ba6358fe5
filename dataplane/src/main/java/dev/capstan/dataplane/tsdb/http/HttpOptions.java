package dev.capstan.dataplane.tsdb.http;

/**
 * Settings of the HTTP API.
 *
 * @param maxBodySize largest {@code /write} body in bytes, before and after gzip; influxd's
 *     {@code max-body-size}, 25 MB by default
 * @param workerThreads threads that run writes and queries, off the event loop
 * @param workQueue requests waiting for a worker beyond which the server answers 503, so an
 *     overload is refused quickly instead of queueing without bound
 * @param version what {@code X-Influxdb-Version} says; the {@code influx} CLI prints it
 */
public record HttpOptions(int maxBodySize, int workerThreads, int workQueue, String version) {

  public static final int DEFAULT_MAX_BODY_SIZE = 25_000_000;
  public static final String VERSION = "1.6.7-capstan";

  public HttpOptions {
    if (maxBodySize <= 0 || workerThreads <= 0 || workQueue <= 0) {
      throw new IllegalArgumentException("maxBodySize, workerThreads and workQueue must be positive");
    }
  }

  public static HttpOptions defaults() {
    return new HttpOptions(
        DEFAULT_MAX_BODY_SIZE, Math.max(2, Runtime.getRuntime().availableProcessors()), 256, VERSION);
  }

  public HttpOptions withMaxBodySize(int bytes) {
    return new HttpOptions(bytes, workerThreads, workQueue, version);
  }

  public HttpOptions withWorkers(int threads, int queue) {
    return new HttpOptions(maxBodySize, threads, queue, version);
  }
}
