package dev.capstan.dataplane.broker.server;

import dev.capstan.dataplane.broker.group.GroupConfig;
import dev.capstan.dataplane.server.EventLoops;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.capstan.dataplane.server.AdminServer.Health;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A broker: a Kafka-protocol listener on Netty in front of the topics' partition logs, with
 * periodic retention and flushing. {@code BrokerMain} runs one per pod; tests start one
 * in-process on an ephemeral port.
 *
 * <p>Durability: a Produce with acks=all is fsynced before it is acknowledged (with one replica
 * there is no other copy to count on) unless {@link Options#syncOnAcksAll} is off; acks=1, and
 * acks=all with it off, is acknowledged once written to the page cache and synced within
 * {@link Options#flushIntervalMs}.
 */
public final class BrokerServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(BrokerServer.class);

  /**
   * How to run a broker.
   *
   * @param advertised every broker's host:port by id, or empty for a single local broker that
   *     advertises {@code host:<bound port>}
   * @param retentionMs default retention.ms of topics (-1: forever)
   * @param retentionBytes default retention.bytes of a partition (-1: no limit)
   * @param maxRequestBytes larger requests close the connection (Kafka's socket.request.max.bytes)
   * @param groupConfig the consumer-group coordinator's settings; null runs without one
   */
  public record Options(Path dataDir, String bindHost, int port, int brokerId, List<String> advertised,
                        String clusterName, long retentionMs, long retentionBytes, int defaultPartitions,
                        boolean autoCreateTopics, boolean syncOnAcksAll, int maxRequestBytes,
                        long retentionCheckMs, long flushIntervalMs, int requestThreads, Clock clock,
                        GroupConfig groupConfig) {

    /** A single local broker on an ephemeral port with Kafka's defaults. */
    public static Options local(Path dataDir) {
      return new Options(dataDir, "127.0.0.1", 0, 0, List.of(), "capstan-local", 7L * 24 * 3600 * 1000, -1, 1,
          true, true, 100 * 1024 * 1024, 5 * 60 * 1000, 1000, 4, Clock.systemUTC(), GroupConfig.DEFAULTS);
    }

    public Options withClock(Clock value) {
      return new Options(dataDir, bindHost, port, brokerId, advertised, clusterName, retentionMs, retentionBytes,
          defaultPartitions, autoCreateTopics, syncOnAcksAll, maxRequestBytes, retentionCheckMs, flushIntervalMs,
          requestThreads, value, groupConfig);
    }

    /** Consumer groups with these settings; null: no group coordinator (FindCoordinator answers COORDINATOR_NOT_AVAILABLE). */
    public Options withGroupConfig(GroupConfig value) {
      return new Options(dataDir, bindHost, port, brokerId, advertised, clusterName, retentionMs, retentionBytes,
          defaultPartitions, autoCreateTopics, syncOnAcksAll, maxRequestBytes, retentionCheckMs, flushIntervalMs,
          requestThreads, clock, value);
    }

    /** acks=all answered after an fdatasync of the partition's log (true) or from the page cache. */
    public Options withSyncOnAcksAll(boolean value) {
      return new Options(dataDir, bindHost, port, brokerId, advertised, clusterName, retentionMs, retentionBytes,
          defaultPartitions, autoCreateTopics, value, maxRequestBytes, retentionCheckMs, flushIntervalMs,
          requestThreads, clock, groupConfig);
    }

    public Options withCluster(int id, List<String> listeners, String name) {
      return new Options(dataDir, bindHost, port, id, listeners, name, retentionMs, retentionBytes,
          defaultPartitions, autoCreateTopics, syncOnAcksAll, maxRequestBytes, retentionCheckMs, flushIntervalMs,
          requestThreads, clock, groupConfig);
    }
  }

  private final Options options;
  private final Channel channel;
  private final TopicRegistry topics;
  private final ClusterLayout layout;
  private final ExecutorService requestExecutor;
  private final ScheduledExecutorService timer;
  private final GroupRequests groups;
  private final GroupCommit groupCommit;
  private final PeerWatch peers;
  private final Duration peerWait;
  private final long servingSinceNanos = System.nanoTime();

  private BrokerServer(Options options, Channel channel, TopicRegistry topics, ClusterLayout layout,
                       ExecutorService requestExecutor, ScheduledExecutorService timer, GroupRequests groups,
                       GroupCommit groupCommit, Duration peerWait) {
    this.groupCommit = groupCommit;
    this.peerWait = peerWait;
    this.options = options;
    this.channel = channel;
    this.topics = topics;
    this.layout = layout;
    this.requestExecutor = requestExecutor;
    this.timer = timer;
    this.groups = groups;
    // A peer seen for the first time hands over the topic changes this broker missed while down.
    this.peers = new PeerWatch(layout, (id, peer) -> TopicCatchUp.run(topics, id, peer, 5_000));
  }

  /** Opens the data directory (recovering logs), binds the listener and starts the periodic tasks. */
  public static BrokerServer start(Options options, EventLoops loops, MeterRegistry registry)
      throws IOException, InterruptedException {
    return start(options, loops, registry, BrokerReadiness.DEFAULT_PEER_WAIT);
  }

  /**
   * As {@link #start(Options, EventLoops, MeterRegistry)}, with how long peers that never answer
   * keep this broker not ready ({@link BrokerReadiness}).
   */
  public static BrokerServer start(Options options, EventLoops loops, MeterRegistry registry, Duration peerWait)
      throws IOException, InterruptedException {
    Files.createDirectories(options.dataDir());
    ExecutorService requestExecutor = Executors.newFixedThreadPool(options.requestThreads(), daemon("broker-request"));
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(daemon("broker-timer"));
    Holder holder = new Holder();
    Channel channel;
    try {
      channel = new ServerBootstrap()
          .group(loops.group())
          .channel(loops.serverChannel())
          .childOption(ChannelOption.TCP_NODELAY, true)
          .childHandler(new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
              ch.pipeline()
                  .addLast(new LengthFieldBasedFrameDecoder(options.maxRequestBytes(), 0, 4, 0, 4))
                  // no LengthFieldPrepender: ResponseFrame writes the size prefix, and a file region would pass it by
                  .addLast(new KafkaConnection(holder.apis, requestExecutor));
            }
          })
          .bind(options.bindHost(), options.port())
          .sync()
          .channel();
    } catch (RuntimeException | InterruptedException e) {
      requestExecutor.shutdownNow();
      timer.shutdownNow();
      throw e;
    }
    int port = ((InetSocketAddress) channel.localAddress()).getPort();
    List<ClusterLayout.HostPort> brokers = new ArrayList<>();
    if (options.advertised().isEmpty()) {
      brokers.add(new ClusterLayout.HostPort(options.bindHost().equals("0.0.0.0") ? "localhost" : options.bindHost(), port));
    } else {
      options.advertised().forEach(a -> brokers.add(ClusterLayout.HostPort.parse(a)));
    }
    ClusterLayout layout = new ClusterLayout(options.brokerId(), brokers, ClusterLayout.clusterIdFor(options.clusterName()));
    TopicRegistry topics = null;
    GroupRequests groups = GroupRequests.NONE;
    BrokerMetrics metrics = new BrokerMetrics(registry);
    GroupCommit groupCommit = new GroupCommit(metrics.syncListener());
    try {
      topics = TopicRegistry.open(options.dataDir(), layout,
          TopicConfigs.withRetention(options.retentionMs(), options.retentionBytes()), options.clock());
      if (options.groupConfig() != null) {
        groups = CoordinatorGroups.start(options.dataDir(), options.groupConfig(), layout, topics, options.clock(), timer);
      }
      ProducerIdAllocator producerIds = new ProducerIdAllocator(options.dataDir(), layout.selfId(), layout.size());
      holder.apis = new KafkaApis(layout, topics, producerIds, groups,
          new KafkaApis.Settings(options.autoCreateTopics(), options.defaultPartitions(), options.syncOnAcksAll()),
          requestExecutor, timer, metrics, groupCommit);
    } catch (IOException | RuntimeException e) {
      channel.close().syncUninterruptibly();
      requestExecutor.shutdownNow();
      timer.shutdownNow();
      groups.close();
      groupCommit.close();
      if (topics != null) {
        topics.close();
      }
      throw e;
    }
    BrokerServer server =
        new BrokerServer(options, channel, topics, layout, requestExecutor, timer, groups, groupCommit, peerWait);
    timer.scheduleWithFixedDelay(server::runRetentionQuietly, options.retentionCheckMs(), options.retentionCheckMs(),
        TimeUnit.MILLISECONDS);
    timer.scheduleWithFixedDelay(server::flushQuietly, options.flushIntervalMs(), options.flushIntervalMs(),
        TimeUnit.MILLISECONDS);
    LOG.info("Broker {} of {} listening on {}:{}, advertising {}, {} topics", layout.selfId(), layout.size(),
        options.bindHost(), port, layout.self(), topics.all().size());
    return server;
  }

  /** Lets the channel initializer see the APIs, which need the bound port first. */
  private static final class Holder {
    volatile KafkaApis apis;
  }

  private static ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  public int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  /** host:port for clients' bootstrap.servers. */
  public String bootstrapServers() {
    return layout.self().toString();
  }

  /** Applies retention to every partition now; returns how many segments were deleted. */
  public int runRetention() throws IOException {
    int deleted = 0;
    long now = options.clock().millis();
    for (Partition partition : topics.partitions()) {
      int n = partition.applyRetention(now);
      if (n > 0) {
        LOG.info("Retention deleted {} segment(s) of {}; log now starts at {}", n, partition.id(),
            partition.logStartOffset());
      }
      deleted += n;
    }
    return deleted;
  }

  private void runRetentionQuietly() {
    try {
      runRetention();
    } catch (IOException | RuntimeException e) {
      LOG.warn("Retention run failed: {}", e.toString());
    }
  }

  private void flushQuietly() {
    for (Partition partition : topics.partitions()) {
      try {
        partition.sync();
      } catch (IOException | RuntimeException e) {
        LOG.warn("Flushing {} failed: {}", partition.id(), e.toString());
      }
    }
  }

  /**
   * Applies new default retention (a reloaded broker.yaml) to every topic that does not set its
   * own; the next retention run enforces it.
   */
  public void setDefaultRetention(long retentionMs, long retentionBytes) throws IOException {
    topics.setDefaults(TopicConfigs.withRetention(retentionMs, retentionBytes));
    LOG.info("Default retention is now retention.ms={} retention.bytes={}", retentionMs, retentionBytes);
  }

  /** Fetches parked on a partition this broker leads (0 if it leads no such partition). */
  int waitingFetches(TopicPartition tp) {
    Partition partition = topics.partition(tp);
    return partition == null ? 0 : partition.waitingFetches();
  }

  /** What {@code /readyz} answers: see {@link BrokerReadiness}. */
  public Health readiness() {
    return BrokerReadiness.of(topics.partitions().size(), peers.unseen(),
        Duration.ofNanos(System.nanoTime() - servingSinceNanos), peerWait);
  }

  /** What /status shows: topics, and for each led partition its offsets and size. */
  public Map<String, Object> status() {
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("brokerId", layout.selfId());
    status.put("brokers", layout.brokers().stream().map(Object::toString).toList());
    status.put("clusterId", layout.clusterId());
    List<Map<String, Object>> topicList = new ArrayList<>();
    for (TopicRegistry.TopicMeta meta : topics.all()) {
      Map<String, Object> topic = new LinkedHashMap<>();
      topic.put("name", meta.name());
      topic.put("id", meta.id());
      topic.put("partitions", meta.partitions());
      topic.put("configs", meta.configs());
      List<Map<String, Object>> led = new ArrayList<>();
      for (int p = 0; p < meta.partitions(); p++) {
        Partition partition = topics.partition(new TopicPartition(meta.name(), p));
        if (partition != null) {
          Map<String, Object> part = new LinkedHashMap<>();
          part.put("partition", p);
          part.put("logStartOffset", partition.logStartOffset());
          part.put("logEndOffset", partition.logEndOffset());
          part.put("sizeBytes", partition.sizeInBytes());
          part.put("segments", partition.segmentBaseOffsets().size());
          led.add(part);
        }
      }
      topic.put("ledPartitions", led);
      topicList.add(topic);
    }
    status.put("topics", topicList);
    return status;
  }

  /** Stops listening, lets queued requests finish briefly, then flushes and closes every log. */
  @Override
  public void close() throws IOException {
    peers.close();
    channel.close().syncUninterruptibly();
    timer.shutdownNow();
    requestExecutor.shutdown();
    try {
      requestExecutor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    requestExecutor.shutdownNow();
    groupCommit.close();
    groups.close();
    topics.close();
    LOG.info("Broker {} stopped; logs flushed", layout.selfId());
  }
}
