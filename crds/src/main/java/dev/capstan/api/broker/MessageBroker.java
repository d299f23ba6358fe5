package dev.capstan.api.broker;

import dev.capstan.api.common.ApiGroup;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.Default;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A Kafka-protocol message broker: Capstan's own broker pods, or an existing Kafka cluster
 * named by {@code spec.external} whose topics Capstan manages.
 */
@Group(ApiGroup.GROUP)
@Version(ApiGroup.VERSION)
@ShortNames("mb")
@AdditionalPrinterColumn(
    name = "Ready",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Replicas",
    jsonPath = ".spec.replicas",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Bootstrap",
    jsonPath = ".status.bootstrapServers",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class MessageBroker extends CustomResource<MessageBrokerSpec, MessageBrokerStatus>
    implements Namespaced {

  // An omitted spec asks for one broker with every default; the API server then stores
  // `spec: {}`, so the operator never sees a broker without one.
  @Override
  @Default("{}")
  public MessageBrokerSpec getSpec() {
    return super.getSpec();
  }
}
