package dev.capstan.api;

import dev.capstan.api.broker.MessageBroker;
import dev.capstan.api.lb.LoadBalancer;
import dev.capstan.api.topic.MessageTopic;
import dev.capstan.api.tsdb.TsdbCluster;
import io.fabric8.kubernetes.client.CustomResource;
import java.util.List;

/** Every custom resource kind Capstan serves, in the order the docs present them. */
public final class CustomResources {
  public static final List<Class<? extends CustomResource<?, ?>>> ALL =
      List.of(TsdbCluster.class, LoadBalancer.class, MessageBroker.class, MessageTopic.class);

  private CustomResources() {}
}
