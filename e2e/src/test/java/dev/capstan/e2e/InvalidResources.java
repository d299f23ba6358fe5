package dev.capstan.e2e;

import java.util.List;

/**
 * Custom resources the API server must refuse, each with what the refusal must say: the field
 * it names and the words of the rule. Together they cover every CEL rule of the four CRDs
 * ({@link E2EScenarios#invalidResourcesAreRejectedNamingTheField} checks that).
 */
final class InvalidResources {
  /** A resource that must be refused, and the texts the error must contain. */
  record Case(String name, String yaml, List<String> expected) {
    @Override
    public String toString() {
      return name;
    }
  }

  private InvalidResources() {}

  static Case tsdb(String name, String spec, String... expected) {
    return new Case("TsdbCluster: " + name, """
        apiVersion: capstan.dev/v1alpha1
        kind: TsdbCluster
        metadata: {name: bad}
        spec:
        """ + spec.indent(2), List.of(expected));
  }

  static Case lb(String name, String spec, String... expected) {
    return new Case("LoadBalancer: " + name, """
        apiVersion: capstan.dev/v1alpha1
        kind: LoadBalancer
        metadata: {name: bad}
        spec:
        """ + spec.indent(2), List.of(expected));
  }

  static Case broker(String name, String spec, String... expected) {
    return new Case("MessageBroker: " + name, """
        apiVersion: capstan.dev/v1alpha1
        kind: MessageBroker
        metadata: {name: bad}
        spec:
        """ + spec.indent(2), List.of(expected));
  }

  static Case topic(String name, String spec, String... expected) {
    return new Case("MessageTopic: " + name, """
        apiVersion: capstan.dev/v1alpha1
        kind: MessageTopic
        metadata: {name: bad}
        spec:
        """ + spec.indent(2), List.of(expected));
  }

  private static final String LISTENERS_AND_BACKENDS = """
      listeners: [{port: 80}]
      backends: [{service: {name: web, port: 8080}}]
      """;

  /** Refused when created. */
  static List<Case> onCreate() {
    return List.of(
        tsdb("retention duration is not a duration",
            "databases: [{name: db, retentionPolicies: [{name: rp, duration: 7 days}]}]",
            "spec.databases[0].retentionPolicies[0].duration", "should match"),
        tsdb("retention duration under one hour",
            "databases: [{name: db, retentionPolicies: [{name: rp, duration: 30m}]}]",
            "spec.databases[0].retentionPolicies[0].duration", "duration must be at least 1h"),
        tsdb("shard duration under one hour",
            "databases: [{name: db, retentionPolicies: [{name: rp, duration: 7d, shardDuration: 59m}]}]",
            "spec.databases[0].retentionPolicies[0].shardDuration", "shardDuration must be at least 1h"),
        tsdb("two default policies",
            "databases: [{name: db, retentionPolicies: [{name: a, duration: 1d, default: true}, {name: b, duration: 2d, default: true}]}]",
            "spec.databases[0].retentionPolicies", "at most one retention policy per database may be the default"),
        tsdb("duplicate policy names",
            "databases: [{name: db, retentionPolicies: [{name: a, duration: 1d}, {name: a, duration: 2d}]}]",
            "spec.databases[0].retentionPolicies", "retention policy names must be unique"),
        tsdb("duplicate continuous query names",
            "databases: [{name: db, continuousQueries: [{name: q, query: 'SELECT mean(v) INTO a FROM b GROUP BY time(1m)'},"
                + " {name: q, query: 'SELECT max(v) INTO c FROM b GROUP BY time(1m)'}]}]",
            "spec.databases[0].continuousQueries", "continuous query names must be unique within a database"),
        tsdb("a continuous query resampled every INF",
            "databases: [{name: db, continuousQueries: [{name: q, query: 'SELECT mean(v) INTO a FROM b GROUP BY time(1m)',"
                + " resampleEvery: INF}]}]",
            "spec.databases[0].continuousQueries[0].resampleEvery", "resampleEvery must be a duration, not INF"),
        tsdb("a continuous query resampled for INF",
            "databases: [{name: db, continuousQueries: [{name: q, query: 'SELECT mean(v) INTO a FROM b GROUP BY time(1m)',"
                + " resampleFor: INF}]}]",
            "spec.databases[0].continuousQueries[0].resampleFor", "resampleFor must be a duration, not INF"),
        tsdb("duplicate database names",
            "databases: [{name: db}, {name: db}]",
            "spec.databases", "database names must be unique"),
        tsdb("replication factor above replicas",
            "replicas: 1\nreplicationFactor: 3",
            "spec.replicationFactor", "replicationFactor must not exceed replicas"),
        tsdb("zero replicas",
            "replicas: 0",
            "spec.replicas", "greater than or equal to 1"),
        lb("Hash without hashKey",
            "algorithm: Hash\n" + LISTENERS_AND_BACKENDS,
            "spec.hashKey", "hashKey is required when algorithm is Hash"),
        lb("hashKey without Hash",
            "algorithm: RoundRobin\nhashKey: {source: Path}\n" + LISTENERS_AND_BACKENDS,
            "spec.hashKey", "not allowed otherwise"),
        lb("Hash in TCP mode",
            "mode: TCP\nalgorithm: Hash\nhashKey: {source: Path}\n" + LISTENERS_AND_BACKENDS,
            "spec.algorithm", "algorithm Hash reads HTTP requests"),
        lb("header hash key without a name",
            "algorithm: Hash\nhashKey: {source: Header}\n" + LISTENERS_AND_BACKENDS,
            "spec.hashKey.name", "name is required for sources Header, Cookie and Query"),
        lb("twoChoices with another algorithm",
            "algorithm: LeastConnections\ntwoChoices: {basis: LeastTime}\n" + LISTENERS_AND_BACKENDS,
            "spec.twoChoices", "twoChoices is only allowed"),
        lb("leastTime with round robin",
            "algorithm: RoundRobin\nleastTime: {basis: LastByte}\n" + LISTENERS_AND_BACKENDS,
            "spec.leastTime", "leastTime is only allowed"),
        lb("cookie persistence in TCP mode",
            "mode: TCP\nsessionPersistence: {type: Cookie}\n" + LISTENERS_AND_BACKENDS,
            "spec.sessionPersistence", "cookie session persistence needs mode HTTP"),
        lb("cookie settings without cookie persistence",
            "sessionPersistence: {type: None, cookie: {name: X}}\n" + LISTENERS_AND_BACKENDS,
            "spec.sessionPersistence.cookie", "only allowed when type is Cookie"),
        lb("duplicate listener ports",
            "listeners: [{port: 80}, {port: 80}]\nbackends: [{service: {name: web, port: 8080}}]",
            "spec.listeners", "listener ports must be unique"),
        lb("listener name Kubernetes refuses as a port name",
            "listeners: [{name: \"8080\", port: 8080}]\nbackends: [{service: {name: web, port: 8080}}]",
            "spec.listeners[0].name", "a listener name needs a letter"),
        lb("weight zero",
            "listeners: [{port: 80}]\nbackends: [{service: {name: web, port: 8080}, weight: 0}]",
            "spec.backends[0].weight", "greater than or equal to 1"),
        lb("weight above 1000",
            "listeners: [{port: 80}]\nbackends: [{service: {name: web, port: 8080}, weight: 1001}]",
            "spec.backends[0].weight", "less than or equal to 1000"),
        lb("backend with a service and a host",
            "listeners: [{port: 80}]\nbackends: [{service: {name: web, port: 8080}, host: web.example, port: 80}]",
            "spec.backends[0]", "a backend names either a service or a host"),
        lb("host backend without a port",
            "listeners: [{port: 80}]\nbackends: [{host: web.example}]",
            "spec.backends[0].port", "a host backend needs a port"),
        lb("trusted proxy that is no CIDR",
            "algorithm: IPHash\ntrustedProxies: [\"10.0.0.0/33\"]\n" + LISTENERS_AND_BACKENDS,
            "spec.trustedProxies", "trustedProxies must be CIDR blocks"),
        lb("trusted proxies in TCP mode",
            "mode: TCP\nalgorithm: IPHash\ntrustedProxies: [\"10.0.0.0/8\"]\n" + LISTENERS_AND_BACKENDS,
            "spec.trustedProxies", "trustedProxies is for X-Forwarded-For"),
        lb("PROXY protocol in HTTP mode",
            "mode: HTTP\nproxyProtocol: V2\n" + LISTENERS_AND_BACKENDS,
            "spec.proxyProtocol", "proxyProtocol V1 or V2 needs mode TCP"),
        lb("TCP health check with a path",
            "healthCheck: {active: {type: TCP, path: /healthz}}\n" + LISTENERS_AND_BACKENDS,
            "spec.healthCheck.active.path", "only allowed when type is HTTP"),
        lb("expected status out of range",
            "healthCheck: {active: {type: HTTP, expectedStatuses: [200, 700]}}\n" + LISTENERS_AND_BACKENDS,
            "spec.healthCheck.active.expectedStatuses", "expectedStatuses must be HTTP statuses"),
        lb("unknown algorithm",
            "algorithm: Fastest\n" + LISTENERS_AND_BACKENDS,
            "spec.algorithm", "Unsupported value"),
        lb("timeout that is not a duration",
            "timeouts: {connect: five seconds}\n" + LISTENERS_AND_BACKENDS,
            "spec.timeouts.connect", "should match"),
        broker("external broker with replicas",
            "replicas: 3\nexternal: {bootstrapServers: \"kafka:9092\"}",
            "spec.external", "an external broker runs no pods"),
        broker("bootstrap servers without a port",
            "external: {bootstrapServers: kafka}",
            "spec.external.bootstrapServers", "should match"),
        topic("no brokerRef",
            "partitions: 3",
            "spec.brokerRef", "Required value"),
        topic("retention in the free-form config",
            "brokerRef: {name: events}\nconfig: {retention.ms: \"1000\"}",
            "spec.config", "config must not set cleanup.policy, retention.ms or retention.bytes"),
        topic("unknown cleanup policy",
            "brokerRef: {name: events}\ncleanupPolicy: archive",
            "spec.cleanupPolicy", "Unsupported value"),
        topic("topic name Kafka refuses",
            "brokerRef: {name: events}\ntopicName: orders/v1",
            "spec.topicName", "should match"));
  }

  /** A valid topic, and changes to it that must be refused on update. */
  static final String TOPIC = """
      apiVersion: capstan.dev/v1alpha1
      kind: MessageTopic
      metadata: {name: orders}
      spec:
        brokerRef: {name: events}
        topicName: orders.v1
        partitions: 6
      """;

  static List<Case> onUpdate() {
    return List.of(
        new Case("MessageTopic: partitions decrease", TOPIC.replace("partitions: 6", "partitions: 3"),
            List.of("spec.partitions", "partitions may only grow")),
        new Case("MessageTopic: topicName change", TOPIC.replace("orders.v1", "orders.v2"),
            List.of("spec.topicName", "topicName is immutable")),
        new Case("MessageTopic: brokerRef change", TOPIC.replace("{name: events}", "{name: other}"),
            List.of("spec.brokerRef", "brokerRef is immutable")));
  }
}
