package dev.capstan.dataplane.lb;

import dev.capstan.api.config.BalancerConfig;
import dev.capstan.dataplane.server.CommandLine;
import dev.capstan.dataplane.server.ConfigFile;
import dev.capstan.dataplane.server.NettyDefaults;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * {@code lb --config lb.yaml}: runs the balancer until SIGTERM, then drains for up to
 * {@link #GRACE} (the pod's termination grace is 30s). A wrong command line or configuration
 * is one line on stderr and exit status 2.
 */
public final class LbMain {

  /** Under the pod's 30s termination grace, leaving time for the JVM to exit. */
  static final Duration GRACE = Duration.ofSeconds(25);

  private LbMain() {}

  public static void main(String[] args) throws InterruptedException {
    NettyDefaults.apply(System.getProperties());
    ConfigFile<BalancerConfig> file;
    LbServer server;
    try {
      CommandLine cl = CommandLine.parse(List.of(args), Set.of("config"));
      file = ConfigFile.of(cl.path("config").orElseThrow(
          () -> new CommandLine.UsageException("flag --config is required")), BalancerConfig.class);
      server = LbServer.start(file.load(), Integer.getInteger("capstan.lb.threads", 0));
    } catch (CommandLine.UsageException | ConfigFile.InvalidConfigException | IllegalArgumentException e) {
      System.err.println("lb: " + e.getMessage());
      System.exit(2);
      return;
    } catch (RuntimeException e) {
      // Such as a port already taken: not a mistake in the file, but still one line.
      System.err.println("lb: cannot start: " + e);
      System.exit(1);
      return;
    }
    ConfigFile<BalancerConfig> config = file;
    LbServer lb = server;
    config.watch(1000, lb::reload);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      config.close();
      lb.close(GRACE);
    }, "lb-shutdown"));
    lb.awaitClosed();
  }
}
