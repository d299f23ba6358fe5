package dev.capstan.dataplane.tsdb.store;

/** A request the store cannot do; the message is influxd's for the same case. */
public class StoreException extends RuntimeException {
  public StoreException(String message) {
    super(message);
  }

  public static StoreException databaseNotFound(String database) {
    return new StoreException("database not found: " + database);
  }

  public static StoreException retentionPolicyNotFound(String policy) {
    return new StoreException("retention policy not found: " + policy);
  }
}
