package dev.capstan.dataplane.broker.server;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * fsync for acks=all, shared: a Produce that must be durable appends, then waits here. Each
 * partition syncs on its own: when a waiter comes and no sync of that partition is running, one
 * starts at once; waiters that come while it runs share the next one, started as soon as it ends.
 * A sync covers everything appended before it started, so one per round serves all its waiters.
 *
 * <p>Partitions do not wait for each other: an earlier version synced every partition with
 * waiters in one round and released nobody before the slowest sync of the round, and started the
 * next round only then, so a partition's waiters also paid for the others' disk time.
 */
final class GroupCommit implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);

  /** What is synced: a partition, or a test's stand-in. */
  interface Target {
    /** Syncs everything appended so far; safe to call from any thread, one call at a time is enough. */
    void flush() throws IOException;
  }

  /** A target's waiters for the next sync, and whether a sync of it is under way. */
  private static final class Pipeline {
    List<CompletableFuture<Void>> waiting = new ArrayList<>();
    boolean running;
  }

  private final ExecutorService flushers;
  /** Guarded by {@code this}; a target is here only while it has waiters or a sync running. */
  private final Map<Target, Pipeline> pipelines = new HashMap<>();
  private boolean closed;

  GroupCommit() {
    // different files sync concurrently on the device, so partitions are synced in parallel
    this(Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "broker-fsync");
      t.setDaemon(true);
      return t;
    }));
  }

  GroupCommit(ExecutorService flushers) {
    this.flushers = flushers;
  }

  /** Completes once everything appended to {@code target} so far is on disk. */
  CompletableFuture<Void> sync(Target target) {
    CompletableFuture<Void> synced = new CompletableFuture<>();
    synchronized (this) {
      if (closed) {
        synced.completeExceptionally(new IOException("broker is shutting down"));
        return synced;
      }
      Pipeline pipeline = pipelines.computeIfAbsent(target, t -> new Pipeline());
      pipeline.waiting.add(synced);
      if (!pipeline.running) {
        pipeline.running = true;
        submit(target);
      }
    }
    return synced;
  }

  /** Called holding the monitor, with the target's pipeline marked running. */
  private void submit(Target target) {
    try {
      flushers.execute(() -> syncOnce(target));
    } catch (RejectedExecutionException e) {
      // closing: nothing will sync these
      Pipeline pipeline = pipelines.remove(target);
      pipeline.waiting.forEach(w -> w.completeExceptionally(new IOException("broker is shutting down")));
    }
  }

  private void syncOnce(Target target) {
    List<CompletableFuture<Void>> round;
    synchronized (this) {
      Pipeline pipeline = pipelines.get(target);
      round = pipeline.waiting;
      pipeline.waiting = new ArrayList<>();
    }
    // every waiter in the round appended before this point, so this sync covers it
    IOException failure = null;
    try {
      target.flush();
    } catch (IOException | RuntimeException e) {
      LOG.error("fsync of {} failed: {}", target, e.toString());
      failure = new IOException("fsync of " + target + " failed", e);
    }
    for (CompletableFuture<Void> waiter : round) {
      if (failure == null) {
        waiter.complete(null);
      } else {
        waiter.completeExceptionally(failure);
      }
    }
    synchronized (this) {
      Pipeline pipeline = pipelines.get(target);
      if (pipeline.waiting.isEmpty()) {
        pipelines.remove(target);
      } else {
        // resubmitted rather than looped, so a busy partition does not keep a flusher from others
        submit(target);
      }
    }
  }

  @Override
  public void close() {
    synchronized (this) {
      closed = true;
    }
    flushers.shutdown();
    try {
      if (!flushers.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS)) {
        LOG.warn("fsync threads still busy after 5 s at shutdown");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (this) {
      pipelines.values().forEach(p -> p.waiting.forEach(
          w -> w.completeExceptionally(new IOException("broker is shutting down"))));
      pipelines.clear();
    }
  }
}
