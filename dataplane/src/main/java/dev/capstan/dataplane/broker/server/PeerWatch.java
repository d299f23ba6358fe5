package dev.capstan.dataplane.broker.server;

import java.io.IOException;
import java.time.Duration;
import java.util.Collections;
import java.util.SortedMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks every peer of the layout for its ApiVersions until each has answered once, on a thread
 * of its own (a peer that is down costs a connect timeout, which must not delay retention or
 * group timers). An answer means the peer's listener serves Kafka, its logs recovered; the peer
 * counts as seen once {@link FirstAnswer} has also run without failing.
 */
final class PeerWatch implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PeerWatch.class);
  static final Duration INTERVAL = Duration.ofSeconds(1);
  private static final int TIMEOUT_MS = 2_000;

  private final SortedMap<Integer, ClusterLayout.HostPort> unseen = new ConcurrentSkipListMap<>();
  private final ScheduledExecutorService executor;
  private final FirstAnswer firstAnswer;

  /** What to do when a peer answers for the first time; a failure leaves it unseen, to try again. */
  @FunctionalInterface
  interface FirstAnswer {
    void seen(int peerId, ClusterLayout.HostPort peer) throws IOException;
  }

  PeerWatch(ClusterLayout layout, FirstAnswer firstAnswer) {
    this.firstAnswer = firstAnswer;
    for (int id = 0; id < layout.size(); id++) {
      if (id != layout.selfId()) {
        unseen.put(id, layout.brokers().get(id));
      }
    }
    if (unseen.isEmpty()) {
      executor = null;
      return;
    }
    executor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "broker-peer-watch");
      t.setDaemon(true);
      return t;
    });
    executor.scheduleWithFixedDelay(this::askUnseen, 0, INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The peers, by id, that have not answered yet. */
  SortedMap<Integer, ClusterLayout.HostPort> unseen() {
    return Collections.unmodifiableSortedMap(unseen);
  }

  private void askUnseen() {
    for (var peer : unseen.entrySet()) {
      try {
        var response = (ApiVersionsResponse) PeerForwarder.send(peer.getValue(),
            new ApiVersionsRequest.Builder().build((short) 3), TIMEOUT_MS);
        if (response.data().errorCode() != Errors.NONE.code()) {
          continue;
        }
      } catch (IOException | RuntimeException e) {
        LOG.debug("Peer broker {} at {} did not answer: {}", peer.getKey(), peer.getValue(), e.toString());
        continue;
      }
      try {
        firstAnswer.seen(peer.getKey(), peer.getValue());
        unseen.remove(peer.getKey());
        LOG.info("Peer broker {} at {} answered", peer.getKey(), peer.getValue());
      } catch (IOException | RuntimeException e) {
        LOG.warn("Peer broker {} at {} answered, but catching up from it failed: {}; trying again",
            peer.getKey(), peer.getValue(), e.toString());
      }
    }
    if (unseen.isEmpty()) {
      executor.shutdown();
    }
  }

  @Override
  public void close() {
    if (executor != null) {
      executor.shutdownNow();
    }
  }
}
