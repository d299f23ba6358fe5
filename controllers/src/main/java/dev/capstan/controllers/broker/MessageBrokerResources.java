package dev.capstan.controllers.broker;

import dev.capstan.api.broker.MessageBroker;
import dev.capstan.api.broker.MessageBrokerSpec;
import dev.capstan.api.broker.TopicDefaults;
import dev.capstan.api.config.BrokerConfig;
import dev.capstan.api.config.Ports;
import dev.capstan.controllers.common.ConfigYaml;
import dev.capstan.controllers.common.ControllerSettings;
import dev.capstan.controllers.common.Labels;
import dev.capstan.controllers.common.PodTemplates;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.math.BigInteger;
import java.util.Map;
import java.util.Optional;

/**
 * The Kubernetes objects a MessageBroker run by Capstan should own, as pure functions of the
 * resource: a ConfigMap with the broker configuration, a headless Service that gives every
 * broker pod the stable name it advertises to Kafka clients, a bootstrap Service on port 9092,
 * the StatefulSet of brokers and a PodDisruptionBudget. A broker with {@code spec.external}
 * owns none of them.
 */
public final class MessageBrokerResources {
  public static final String COMPONENT = "broker";
  public static final String DATA_DIR = "/var/lib/capstan/broker";
  static final String KAFKA_PORT_NAME = "kafka";

  /** Kafka's own defaults: num.partitions=1, log.retention.hours=168, log.retention.bytes=-1. */
  static final int DEFAULT_PARTITIONS = 1;
  static final String DEFAULT_RETENTION_TIME = "7d";

  private MessageBrokerResources() {}

  public static String configMapName(MessageBroker b) {
    return b.getMetadata().getName() + "-config";
  }

  public static String headlessServiceName(MessageBroker b) {
    return b.getMetadata().getName() + "-brokers";
  }

  public static String bootstrapServiceName(MessageBroker b) {
    return b.getMetadata().getName() + "-bootstrap";
  }

  public static String statefulSetName(MessageBroker b) {
    return b.getMetadata().getName();
  }

  /** What Kafka clients use as {@code bootstrap.servers}. */
  public static String bootstrapServers(MessageBroker b) {
    MessageBrokerSpec spec = b.getSpec();
    if (spec.usesExternalKafka()) {
      return spec.external().bootstrapServers();
    }
    return bootstrapServiceName(b) + "." + b.getMetadata().getNamespace() + ".svc:" + Ports.BROKER_KAFKA;
  }

  /** Why the spec cannot be served, for rules the schema cannot express; empty when fine. */
  public static Optional<String> invalid(MessageBroker b) {
    TopicDefaults defaults = b.getSpec().topicDefaults();
    if (defaults == null) {
      return Optional.empty();
    }
    if (defaults.retentionTime() != null) {
      try {
        if (BrokerConfig.retentionMillis(defaults.retentionTime()) == 0) {
          return Optional.of("topicDefaults.retentionTime " + defaults.retentionTime()
              + " would keep no records; use a positive duration, or " + BrokerConfig.INFINITE
              + " to keep them forever");
        }
      } catch (IllegalArgumentException e) {
        return Optional.of("topicDefaults.retentionTime: " + e.getMessage());
      }
    }
    if (defaults.retentionBytes() != null && bytes(defaults.retentionBytes()).isEmpty()) {
      return Optional.of("topicDefaults.retentionBytes " + defaults.retentionBytes()
          + " is more bytes than Kafka can count (at most " + Long.MAX_VALUE + ")");
    }
    return Optional.empty();
  }

  /** The broker configuration with every default resolved. */
  public static BrokerConfig brokerConfig(MessageBroker b) {
    MessageBrokerSpec spec = b.getSpec();
    TopicDefaults defaults = spec.topicDefaults();
    Integer partitions = defaults == null ? null : defaults.partitions();
    String retentionTime = defaults == null ? null : defaults.retentionTime();
    String retentionBytes = defaults == null ? null : defaults.retentionBytes();
    return new BrokerConfig(
        Ports.BROKER_KAFKA,
        Ports.ADMIN,
        spec.replicasOrDefault(),
        statefulSetName(b),
        BrokerConfig.POD_PLACEHOLDER + "." + headlessServiceName(b) + "." + b.getMetadata().getNamespace()
            + ".svc:" + Ports.BROKER_KAFKA,
        partitions == null ? DEFAULT_PARTITIONS : partitions,
        retentionTime == null ? DEFAULT_RETENTION_TIME : retentionTime,
        retentionBytes == null ? null : bytes(retentionBytes).orElseThrow(
            () -> new IllegalArgumentException("retentionBytes " + retentionBytes + " overflows a long")),
        spec.durabilityOrDefault());
  }

  /** A byte quantity such as {@code 1Gi} as a count of bytes; empty when it exceeds a long. */
  static Optional<Long> bytes(String quantity) {
    BigInteger amount = Quantity.getAmountInBytes(new Quantity(quantity)).toBigInteger();
    return amount.bitLength() < Long.SIZE ? Optional.of(amount.longValueExact()) : Optional.empty();
  }

  public static ConfigMap configMap(MessageBroker b) {
    return new ConfigMapBuilder()
        .withMetadata(Labels.metadata(COMPONENT, b, configMapName(b)))
        .withData(configData(b))
        .build();
  }

  static Map<String, String> configData(MessageBroker b) {
    return Map.of(BrokerConfig.FILE, ConfigYaml.render(brokerConfig(b)));
  }

  public static Service headlessService(MessageBroker b) {
    return new ServiceBuilder()
        .withMetadata(Labels.metadata(COMPONENT, b, headlessServiceName(b)))
        .withNewSpec()
        .withClusterIP("None")
        // Brokers must resolve each other's names while starting, before any is ready: the
        // names are what they replicate to and what they advertise.
        .withPublishNotReadyAddresses(true)
        .withSelector(Labels.selector(COMPONENT, b))
        .withPorts(kafkaServicePort())
        .endSpec()
        .build();
  }

  public static Service bootstrapService(MessageBroker b) {
    return new ServiceBuilder()
        .withMetadata(Labels.metadata(COMPONENT, b, bootstrapServiceName(b)))
        .withNewSpec()
        .withType("ClusterIP")
        .withSelector(Labels.selector(COMPONENT, b))
        .withPorts(kafkaServicePort())
        .endSpec()
        .build();
  }

  private static ServicePort kafkaServicePort() {
    return new ServicePortBuilder()
        .withName(KAFKA_PORT_NAME)
        .withPort(Ports.BROKER_KAFKA)
        .withTargetPort(new IntOrString(KAFKA_PORT_NAME))
        .build();
  }

  public static StatefulSet statefulSet(MessageBroker b, ControllerSettings settings) {
    MessageBrokerSpec spec = b.getSpec();
    Container server = new ContainerBuilder()
        .withName(COMPONENT)
        .withImage(settings.imageOr(spec.image()))
        .withArgs("broker", "--config", PodTemplates.CONFIG_DIR + "/" + BrokerConfig.FILE, "--data", DATA_DIR)
        .addNewPort()
        .withName(KAFKA_PORT_NAME)
        .withContainerPort(Ports.BROKER_KAFKA)
        .endPort()
        .addNewPort()
        .withName(PodTemplates.ADMIN_PORT_NAME)
        .withContainerPort(Ports.ADMIN)
        .endPort()
        .withEnv(PodTemplates.serverEnv(PodTemplates.THROUGHPUT_GC))
        .withResources(spec.resources())
        // Ready once the broker serves: its logs recovered, its Kafka listener answering and every
        // peer seen once, or a minute waited for them (the data plane's BrokerReadiness). An open
        // port alone is not enough: the listener is bound before the logs are recovered.
        .withReadinessProbe(PodTemplates.httpProbe("/readyz", Ports.ADMIN, 5, 3))
        // Alive while the process answers HTTP, recovering or not: a long recovery is no reason
        // to restart it.
        .withLivenessProbe(PodTemplates.httpProbe("/health", Ports.ADMIN, 10, 6))
        .build();
    return PodTemplates.statefulServer(COMPONENT, b, headlessServiceName(b), spec.replicasOrDefault(),
        configMapName(b), configData(b), spec.storageOrDefault(), DATA_DIR, server);
  }

  public static PodDisruptionBudget podDisruptionBudget(MessageBroker b) {
    return PodTemplates.oneAtATime(COMPONENT, b, statefulSetName(b));
  }
}
