package dev.capstan.api.validation;

import static dev.capstan.api.validation.ValidationCase.accepts;
import static dev.capstan.api.validation.ValidationCase.rejects;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** What the API server accepts as a LoadBalancer. */
class LoadBalancerValidationTest {
  static final String CRD = "loadbalancers.capstan.dev.yaml";

  static List<ValidationCase> cases() {
    return List.of(
        accepts(CRD, "one listener and one Service, all defaults", spec("")),
        accepts(CRD, "everything an HTTP balancer can set",
            """
            spec:
              mode: HTTP
              algorithm: RandomTwoChoices
              twoChoices: {basis: LeastTime}
              leastTime: {basis: LastByte}
              listeners: [{name: http, port: 80}, {name: admin, port: 8081}]
              backends:
              - {service: {name: web, port: 8080}, weight: 3}
              - {host: 10.0.0.7, port: 8080, weight: 1000}
              sessionPersistence: {type: Cookie, cookie: {name: SRV, ttl: 1h}}
              healthCheck:
                active: {type: HTTP, path: /healthz, expectedStatuses: [200, 204], interval: 2s, timeout: 500ms}
                passive: {maxFails: 0}
              timeouts: {connect: 1s, response: 1m30s, idle: 5m}
              trustedProxies: [10.0.0.0/8, "fd00::/8"]
            """),
        accepts(CRD, "a TCP balancer by client address", spec("mode: TCP\nalgorithm: IPHash")),
        accepts(CRD, "Hash of a cookie", spec("algorithm: Hash\nhashKey: {source: Cookie, name: session}")),
        accepts(CRD, "Hash of the path, which takes no name", spec("algorithm: Hash\nhashKey: {source: Path}")),
        accepts(CRD, "LeastTime with its basis", spec("algorithm: LeastTime\nleastTime: {basis: FirstByte}")),
        accepts(CRD, "persistence None in TCP mode", spec("mode: TCP\nsessionPersistence: {type: None}")),
        accepts(CRD, "PROXY protocol v1 in TCP mode", spec("mode: TCP\nproxyProtocol: V1")),
        accepts(CRD, "PROXY protocol v2 in TCP mode", spec("mode: TCP\nproxyProtocol: V2")),
        accepts(CRD, "PROXY protocol None in HTTP mode", spec("proxyProtocol: None")),
        accepts(CRD, "a TCP active check", spec("healthCheck: {active: {type: TCP}}")),
        rejects(CRD, "Hash without hashKey", spec("algorithm: Hash"),
            "spec.hashKey: hashKey is required when algorithm is Hash and not allowed otherwise"),
        rejects(CRD, "hashKey with RoundRobin", spec("hashKey: {source: Path}"),
            "spec.hashKey: hashKey is required when algorithm is Hash and not allowed otherwise"),
        rejects(CRD, "Hash in TCP mode", spec("mode: TCP\nalgorithm: Hash\nhashKey: {source: Path}"),
            "spec.algorithm: algorithm Hash reads HTTP requests and needs mode HTTP; in TCP mode use IPHash"),
        rejects(CRD, "a Header hash key without a name", spec("algorithm: Hash\nhashKey: {source: Header}"),
            "spec.hashKey.name: name is required for sources Header, Cookie and Query, and not allowed for Path and Url"),
        rejects(CRD, "a Query hash key without a name", spec("algorithm: Hash\nhashKey: {source: Query}"),
            "spec.hashKey.name: name is required for sources Header, Cookie and Query, and not allowed for Path and Url"),
        rejects(CRD, "a Url hash key with a name", spec("algorithm: Hash\nhashKey: {source: Url, name: q}"),
            "spec.hashKey.name: name is required for sources Header, Cookie and Query, and not allowed for Path and Url"),
        rejects(CRD, "twoChoices with LeastConnections", spec("algorithm: LeastConnections\ntwoChoices: {basis: LeastTime}"),
            "spec.twoChoices: twoChoices is only allowed when algorithm is RandomTwoChoices"),
        rejects(CRD, "leastTime with RoundRobin", spec("leastTime: {basis: LastByte}"),
            "spec.leastTime: leastTime is only allowed with algorithm LeastTime, or RandomTwoChoices by LeastTime"),
        rejects(CRD, "leastTime with RandomTwoChoices by connections",
            spec("algorithm: RandomTwoChoices\nleastTime: {basis: LastByte}"),
            "spec.leastTime: leastTime is only allowed with algorithm LeastTime, or RandomTwoChoices by LeastTime"),
        rejects(CRD, "cookie persistence in TCP mode", spec("mode: TCP\nsessionPersistence: {type: Cookie}"),
            "spec.sessionPersistence: cookie session persistence needs mode HTTP"),
        rejects(CRD, "cookie settings with persistence None",
            spec("sessionPersistence: {type: None, cookie: {name: SRV}}"),
            "spec.sessionPersistence.cookie: cookie settings are only allowed when type is Cookie"),
        rejects(CRD, "two listeners on one port",
            """
            spec:
              listeners: [{name: a, port: 80}, {name: b, port: 80}]
              backends: [{service: {name: web, port: 8080}}]
            """,
            "spec.listeners: listener ports must be unique"),
        rejects(CRD, "a listener name of digits only",
            """
            spec:
              listeners: [{name: "8080", port: 8080}]
              backends: [{service: {name: web, port: 8080}}]
            """,
            "spec.listeners[0].name: a listener name needs a letter and no '--', as Kubernetes port names do"),
        rejects(CRD, "a listener name with --",
            """
            spec:
              listeners: [{name: http--alt, port: 8080}]
              backends: [{service: {name: web, port: 8080}}]
            """,
            "spec.listeners[0].name: a listener name needs a letter and no '--', as Kubernetes port names do"),
        rejects(CRD, "weight 0", backends("{service: {name: web, port: 8080}, weight: 0}"),
            "spec.backends[0].weight: should be greater than or equal to 1"),
        rejects(CRD, "weight 1001", backends("{service: {name: web, port: 8080}, weight: 1001}"),
            "spec.backends[0].weight: should be less than or equal to 1000"),
        rejects(CRD, "a backend with both a Service and a host",
            backends("{service: {name: web, port: 8080}, host: web.example.com, port: 8080}"),
            "spec.backends[0]: a backend names either a service or a host, not both and not neither"),
        rejects(CRD, "a backend with neither a Service nor a host", backends("{weight: 2}"),
            "spec.backends[0]: a backend names either a service or a host, not both and not neither"),
        rejects(CRD, "a host without a port", backends("{host: 10.0.0.7}"),
            "spec.backends[0].port: a host backend needs a port, and a service backend takes its port from service.port"),
        rejects(CRD, "a Service backend with a port of its own",
            backends("{service: {name: web, port: 8080}, port: 9090}"),
            "spec.backends[0].port: a host backend needs a port, and a service backend takes its port from service.port"),
        rejects(CRD, "a trusted proxy without a prefix length", spec("trustedProxies: [10.0.0.1]"),
            "spec.trustedProxies: trustedProxies must be CIDR blocks such as 10.0.0.0/8"),
        rejects(CRD, "PROXY protocol in HTTP mode", spec("proxyProtocol: V2"),
            "spec.proxyProtocol: proxyProtocol V1 or V2 needs mode TCP; in mode HTTP servers get the client "
                + "address in X-Forwarded-For"),
        rejects(CRD, "PROXY protocol v3", spec("mode: TCP\nproxyProtocol: V3"),
            "spec.proxyProtocol: Unsupported value: \"V3\": supported values: \"None\", \"V1\", \"V2\""),
        rejects(CRD, "trusted proxies in TCP mode", spec("mode: TCP\ntrustedProxies: [10.0.0.0/8]"),
            "spec.trustedProxies: trustedProxies is for X-Forwarded-For, which only exists in mode HTTP"),
        rejects(CRD, "an active TCP check with a path", spec("healthCheck: {active: {type: TCP, path: /healthz}}"),
            "spec.healthCheck.active.path: path and expectedStatuses are only allowed when type is HTTP"),
        rejects(CRD, "expected status 99", spec("healthCheck: {active: {type: HTTP, expectedStatuses: [200, 99]}}"),
            "spec.healthCheck.active.expectedStatuses: expectedStatuses must be HTTP statuses from 100 to 599"),
        rejects(CRD, "expected status 600", spec("healthCheck: {active: {type: HTTP, expectedStatuses: [600]}}"),
            "spec.healthCheck.active.expectedStatuses: expectedStatuses must be HTTP statuses from 100 to 599"),
        rejects(CRD, "a probe path with a space", spec("healthCheck: {active: {type: HTTP, path: /health check}}"),
            "spec.healthCheck.active.path: should match '^/[!-~]*$'"),
        rejects(CRD, "a timeout in seconds with a space", spec("timeouts: {connect: 5 s}"),
            "spec.timeouts.connect: should match '^([0-9]+(ms|s|m|h))+$'"),
        rejects(CRD, "an interval in days", spec("healthCheck: {active: {type: TCP, interval: 1d}}"),
            "spec.healthCheck.active.interval: should match '^([0-9]+(ms|s|m|h))+$'"),
        rejects(CRD, "no backends", "spec: {listeners: [{port: 80}], backends: []}",
            "spec.backends: should have at least 1 items"),
        rejects(CRD, "an unknown algorithm", spec("algorithm: Random"),
            "spec.algorithm: Unsupported value: \"Random\": supported values: \"Hash\", \"IPHash\", "
                + "\"LeastConnections\", \"LeastTime\", \"RandomTwoChoices\", \"RoundRobin\""));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void apiServerAnswersAsIntended(ValidationCase c) {
    c.assertOutcome();
  }

  @Test
  void trustedProxiesMustBeRealCidrBlocks() {
    rejects(CRD, "hex letters are no address", spec("trustedProxies: [abc/8]"),
        "spec.trustedProxies: trustedProxies must be CIDR blocks such as 10.0.0.0/8").assertOutcome();
    rejects(CRD, "an IPv4 prefix longer than 32", spec("trustedProxies: [10.0.0.0/33]"),
        "spec.trustedProxies: trustedProxies must be CIDR blocks such as 10.0.0.0/8").assertOutcome();
  }

  /** A spec with one listener and one Service backend, plus {@code lines}. */
  private static String spec(String lines) {
    return "spec:\n  listeners: [{port: 80}]\n  backends: [{service: {name: web, port: 8080}}]\n"
        + lines.lines().map(l -> "  " + l + "\n").reduce("", String::concat);
  }

  private static String backends(String backend) {
    return "spec:\n  listeners: [{port: 80}]\n  backends: [" + backend + "]\n";
  }
}
