package dev.capstan.dataplane.broker.server;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * fsync for acks=all, shared: a Produce that must be durable appends, then waits here; one thread
 * syncs every partition with waiters and releases them all, so requests that arrive during one
 * fsync share the next instead of queueing one fsync each. A partition's flush covers everything
 * appended before it started, which is why one flush per round is enough for all its waiters.
 */
final class GroupCommit implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);

  private record Waiter(Partition partition, CompletableFuture<Void> synced) {}

  private final LinkedBlockingQueue<Waiter> queue = new LinkedBlockingQueue<>();
  private final Thread thread;
  private final java.util.concurrent.ExecutorService flushers = java.util.concurrent.Executors.newFixedThreadPool(4, r -> {
    Thread t = new Thread(r, "broker-fsync");
    t.setDaemon(true);
    return t;
  });
  private volatile boolean closed;

  GroupCommit() {
    thread = new Thread(this::run, "broker-group-commit");
    thread.setDaemon(true);
    thread.start();
  }

  /** Completes once everything appended to {@code partition} so far is on disk. */
  CompletableFuture<Void> sync(Partition partition) {
    CompletableFuture<Void> synced = new CompletableFuture<>();
    if (closed) {
      synced.completeExceptionally(new IOException("broker is shutting down"));
      return synced;
    }
    queue.add(new Waiter(partition, synced));
    return synced;
  }

  private void run() {
    List<Waiter> round = new ArrayList<>();
    while (!closed) {
      try {
        round.add(queue.take());
      } catch (InterruptedException e) {
        break;
      }
      queue.drainTo(round);
      Set<Partition> partitions = new LinkedHashSet<>();
      round.forEach(w -> partitions.add(w.partition()));
      // different files sync concurrently on the device, so partitions are flushed in parallel
      Set<Partition> failed = java.util.concurrent.ConcurrentHashMap.newKeySet();
      List<CompletableFuture<Void>> flushes = new ArrayList<>();
      for (Partition partition : partitions) {
        flushes.add(CompletableFuture.runAsync(() -> {
          try {
            partition.flush();
          } catch (IOException | RuntimeException e) {
            LOG.error("fsync of {} failed: {}", partition.id(), e.toString());
            failed.add(partition);
          }
        }, flushers));
      }
      CompletableFuture.allOf(flushes.toArray(CompletableFuture[]::new)).join();
      for (Waiter w : round) {
        if (failed.contains(w.partition())) {
          w.synced().completeExceptionally(new IOException("fsync of " + w.partition().id() + " failed"));
        } else {
          w.synced().complete(null);
        }
      }
      round.clear();
    }
    for (Waiter w; (w = queue.poll()) != null; ) {
      w.synced().completeExceptionally(new IOException("broker is shutting down"));
    }
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    flushers.shutdown();
  }
}
