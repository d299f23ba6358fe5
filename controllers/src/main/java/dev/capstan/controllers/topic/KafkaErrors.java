package dev.capstan.controllers.topic;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.DisconnectException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.errors.TimeoutException;

/** A Kafka error as the reason and message of a status condition. */
public final class KafkaErrors {
  public static final String BROKER_UNREACHABLE = "BrokerUnreachable";

  private KafkaErrors() {}

  /**
   * The reason: BrokerUnreachable when the cluster did not answer, else the error's class in
   * the style of Kafka's error codes: InvalidConfig, PolicyViolation, TopicAuthorizationFailed.
   */
  public static String reason(KafkaException e) {
    // The Admin client wraps what stopped it (e.g. "Failed to create new KafkaAdminClient"
    // around "No resolvable bootstrap urls"), so the causes count too.
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof TimeoutException || t instanceof NetworkException || t instanceof DisconnectException
          || t instanceof ConfigException) {
        return BROKER_UNREACHABLE;
      }
    }
    // Exactly: in Kafka's class tree authorisation, replication-factor and version errors are
    // InvalidConfigurationExceptions too.
    if (e.getClass() == InvalidConfigurationException.class) {
      return "InvalidConfig";
    }
    String name = e.getClass().getSimpleName();
    if (name.endsWith("Exception")) {
      name = name.substring(0, name.length() - "Exception".length());
    }
    if (name.endsWith("Authorization")) {
      name += "Failed";
    }
    return name.isEmpty() || "Kafka".equals(name) ? "KafkaError" : name;
  }

  /** One line: what Capstan tried, where, and what Kafka said. */
  public static String message(String action, String bootstrapServers, KafkaException e) {
    String said = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    Throwable cause = e.getCause();
    if (cause != null && cause != e && cause.getMessage() != null && !said.contains(cause.getMessage())) {
      said += ": " + cause.getMessage();
    }
    String text = BROKER_UNREACHABLE.equals(reason(e))
        ? "Kafka at " + bootstrapServers + " did not answer while trying to " + action + ": " + said
        : "Kafka at " + bootstrapServers + " refused to " + action + ": " + said;
    return text.replaceAll("\\s*\\R\\s*", " ");
  }
}
