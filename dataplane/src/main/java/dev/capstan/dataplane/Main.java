package dev.capstan.dataplane;

import dev.capstan.dataplane.broker.BrokerMain;
import dev.capstan.dataplane.lb.LbMain;
import dev.capstan.dataplane.tsdb.TsdbMain;
import java.util.Arrays;

/**
 * The data-plane image's entry point: {@code tsdb}, {@code lb} or {@code broker}, followed by
 * that server's flags ({@code --config FILE}, {@code --data DIR}). Every listener binds the
 * address in {@code CAPSTAN_BIND_HOST} (all interfaces when unset).
 */
public final class Main {

  private static final String USAGE =
      """
      usage: capstan-dataplane <server> --config FILE [--data DIR]
        tsdb     the InfluxDB 1.x-compatible time-series node (tsdb.yaml)
        lb       the L4/L7 load balancer (lb.yaml)
        broker   the Kafka-protocol broker (broker.yaml)
      The operator renders FILE into each pod's ConfigMap from the custom resource.""";

  private static final String JUL_FORMAT = "java.util.logging.SimpleFormatter.format";

  private Main() {}

  public static void main(String[] args) throws Exception {
    // The storage engine logs through System.Logger (java.util.logging here), the servers through
    // SLF4J: both one line per message ("LEVEL logger - message", SLF4J with the thread in front),
    // not JUL's default of two lines with a date.
    if (System.getProperty(JUL_FORMAT) == null) {
      System.setProperty(JUL_FORMAT, "%4$s %3$s - %5$s%6$s%n");
    }
    if (args.length == 0 || Arrays.stream(args).anyMatch(a -> a.equals("--help") || a.equals("-h"))) {
      System.out.println(USAGE);
      System.exit(args.length == 0 ? 2 : 0);
    }
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    switch (args[0]) {
      case "tsdb" -> TsdbMain.main(rest);
      case "lb" -> LbMain.main(rest);
      case "broker" -> BrokerMain.main(rest);
      default -> {
        System.err.println("capstan-dataplane: unknown server '" + args[0] + "'; use tsdb, lb or broker");
        System.exit(2);
      }
    }
  }
}
