package dev.capstan.dataplane.server;

import java.util.Properties;

/** Netty settings for production, applied by each server's main before Netty loads. */
public final class NettyDefaults {

  /** Netty's leak-detector level, read once when Netty first loads a buffer class. */
  static final String LEAK_DETECTION = "io.netty.leakDetection.level";

  private NettyDefaults() {}

  /**
   * Sets what the command line left unset (a -D there wins). Leak detection off: Netty's
   * default (SIMPLE) tracks one buffer in 128 with a stack trace, which at tens of thousands of
   * requests per second is hundreds of Throwables a second on the event loops (measured: a few
   * percent of the balancer's CPU). It is a debugging aid; the tests keep Netty's default.
   */
  public static void apply(Properties properties) {
    properties.putIfAbsent(LEAK_DETECTION, "disabled");
  }
}
