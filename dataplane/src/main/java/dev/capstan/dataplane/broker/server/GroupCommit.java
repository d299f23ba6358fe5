package dev.capstan.dataplane.broker.server;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * fsync for acks=all, shared: a Produce that must be durable appends, then waits here until its
 * partition is synced past what it appended. Positions, not flags, decide who is released: a
 * waiter notes the partition's appended-up-to position when it comes, a sync covers the position
 * it found when it started, and a waiter is released once a finished sync covers its position.
 *
 * <p>Up to {@link #DEFAULT_SYNCS_PER_TARGET} syncs of one partition run at once: a waiter that
 * comes while a sync runs starts its own sync right away instead of waiting for the running one
 * to end and then for its own. Concurrent fdatasyncs of one file are safe: each covers what was
 * written before it was called. They do not fully overlap (ext4 commits its journal one
 * transaction at a time), but the data writeback does: in the 1 KiB produce bench a request's
 * wait went from about 2.1 sync times to about 1.6, for about 35% more syncs (and their kernel
 * CPU). A sync that ends early cannot release a waiter it does not cover, and one that ends late
 * cannot move the synced position back: it only ever grows.
 *
 * <p>Partitions do not wait for each other: each has its own syncs, run in parallel.
 */
final class GroupCommit implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);

  /** Syncs of one partition in flight at most; a third would mostly queue behind the journal commits. */
  static final int DEFAULT_SYNCS_PER_TARGET = 2;

  /** What is synced: a partition, or a test's stand-in. */
  interface Target {
    /** The position after everything appended so far; it never goes back. */
    long appendedUpTo();

    /**
     * Syncs everything appended before the call and returns the position that covers (at least
     * {@link #appendedUpTo()} as it was when the call began). Called from several threads at once.
     */
    long sync() throws IOException;
  }

  /** Told about every finished sync, on the thread that ran it: for metrics. */
  @FunctionalInterface
  interface SyncListener {
    SyncListener NONE = (nanos, released) -> { };

    /** A sync took {@code nanos} and released {@code released} waiters (0 if it failed or covered nobody new). */
    void synced(long nanos, int released);
  }

  private record Waiter(long end, CompletableFuture<Void> synced) {}

  /** A target's waiters and syncs; guarded by the GroupCommit's monitor. */
  private static final class Pipeline {
    final List<Waiter> waiting = new ArrayList<>();
    int running;
    /** Every waiter at or below this is covered by a running sync (a lower bound of what it will cover). */
    long requested = Long.MIN_VALUE;
    /** Everything below this is on disk. */
    long synced = Long.MIN_VALUE;
    /** Bumped by a failed sync: syncs started before it release nobody (see {@link #finished}). */
    int generation;
  }

  private final ExecutorService flushers;
  private final int syncsPerTarget;
  private final SyncListener listener;
  /** Guarded by {@code this}; a target is here only while it has waiters or a sync running. */
  private final Map<Target, Pipeline> pipelines = new HashMap<>();
  private boolean closed;

  GroupCommit(SyncListener listener) {
    // different files, and overlapping syncs of one file, proceed together on the device; a
    // thread blocked in fdatasync costs no CPU
    this(Executors.newFixedThreadPool(8, r -> {
      Thread t = new Thread(r, "broker-fsync");
      t.setDaemon(true);
      return t;
    }), DEFAULT_SYNCS_PER_TARGET, listener);
  }

  GroupCommit(ExecutorService flushers, int syncsPerTarget, SyncListener listener) {
    if (syncsPerTarget < 1) {
      throw new IllegalArgumentException("syncsPerTarget must be at least 1, was " + syncsPerTarget);
    }
    this.flushers = flushers;
    this.syncsPerTarget = syncsPerTarget;
    this.listener = listener;
  }

  /** Completes once everything appended to {@code target} before this call is on disk. */
  CompletableFuture<Void> sync(Target target) {
    // read before registering: any sync submitted after this waiter is registered starts later,
    // so it finds at least this position
    long end = target.appendedUpTo();
    CompletableFuture<Void> synced = new CompletableFuture<>();
    List<Waiter> refused = List.of();
    synchronized (this) {
      if (closed) {
        synced.completeExceptionally(shuttingDown());
        return synced;
      }
      Pipeline pipeline = pipelines.get(target);
      if (pipeline != null && end <= pipeline.synced) {
        synced.complete(null);
        return synced;
      }
      if (pipeline == null) {
        pipeline = new Pipeline();
        pipelines.put(target, pipeline);
      }
      pipeline.waiting.add(new Waiter(end, synced));
      if (end > pipeline.requested && pipeline.running < syncsPerTarget) {
        refused = start(target, pipeline);
      }
    }
    fail(refused, shuttingDown());
    return synced;
  }

  /**
   * Submits a sync covering every waiter so far; called holding the monitor. Returns the waiters
   * to fail (outside the monitor) if the flushers are shut down.
   */
  private List<Waiter> start(Target target, Pipeline pipeline) {
    long coveredBefore = pipeline.requested;
    for (Waiter waiter : pipeline.waiting) {
      pipeline.requested = Math.max(pipeline.requested, waiter.end());
    }
    pipeline.running++;
    int generation = pipeline.generation;
    try {
      flushers.execute(() -> syncOnce(target, pipeline, generation));
      return List.of();
    } catch (RejectedExecutionException e) {
      // closing: nothing will sync the waiters no running sync covers
      pipeline.running--;
      pipeline.requested = coveredBefore;
      List<Waiter> dropped = new ArrayList<>();
      for (Iterator<Waiter> it = pipeline.waiting.iterator(); it.hasNext(); ) {
        Waiter waiter = it.next();
        if (pipeline.running == 0 || waiter.end() > coveredBefore) {
          dropped.add(waiter);
          it.remove();
        }
      }
      if (pipeline.running == 0) {
        pipelines.remove(target);
      }
      return dropped;
    }
  }

  private void syncOnce(Target target, Pipeline pipeline, int generation) {
    long covered = Long.MIN_VALUE;
    IOException failure = null;
    long startNanos = System.nanoTime();
    try {
      covered = target.sync();
    } catch (IOException | RuntimeException e) {
      LOG.error("fsync of {} failed: {}", target, e.toString());
      failure = new IOException("fsync of " + target + " failed", e);
    }
    List<Waiter> released;
    List<Waiter> refused = List.of();
    synchronized (this) {
      released = finished(pipeline, generation, covered, failure != null);
      long highest = Long.MIN_VALUE;
      for (Waiter waiter : pipeline.waiting) {
        highest = Math.max(highest, waiter.end());
      }
      if (highest > pipeline.requested && pipeline.running < syncsPerTarget) {
        // resubmitted rather than looped, so a busy partition does not keep a flusher from others
        refused = start(target, pipeline);
      } else if (pipeline.running == 0 && pipeline.waiting.isEmpty()) {
        pipelines.remove(target);
      }
    }
    listener.synced(System.nanoTime() - startNanos, failure == null ? released.size() : 0);
    // completed outside the monitor: a waiter's continuation encodes and sends the response
    if (failure == null) {
      released.forEach(w -> w.synced().complete(null));
    } else {
      fail(released, failure);
    }
    fail(refused, shuttingDown());
  }

  /**
   * Books a finished sync, holding the monitor, and takes out the waiters it settles. A success
   * releases those it covers. A failure settles everyone waiting, and syncs already running
   * release nobody: after a failed fdatasync the kernel may have dropped pages they would count
   * on, so only a sync started after the failure proves anything.
   */
  private static List<Waiter> finished(Pipeline pipeline, int generation, long covered, boolean failed) {
    pipeline.running--;
    List<Waiter> settled = new ArrayList<>();
    if (failed) {
      settled.addAll(pipeline.waiting);
      pipeline.waiting.clear();
      pipeline.generation++;
      pipeline.requested = pipeline.synced;
      return settled;
    }
    if (generation != pipeline.generation) {
      return settled;
    }
    pipeline.synced = Math.max(pipeline.synced, covered);
    for (Iterator<Waiter> it = pipeline.waiting.iterator(); it.hasNext(); ) {
      Waiter waiter = it.next();
      if (waiter.end() <= pipeline.synced) {
        settled.add(waiter);
        it.remove();
      }
    }
    return settled;
  }

  private static void fail(List<Waiter> waiters, IOException failure) {
    waiters.forEach(w -> w.synced().completeExceptionally(failure));
  }

  private static IOException shuttingDown() {
    return new IOException("broker is shutting down");
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
    List<Waiter> left = new ArrayList<>();
    synchronized (this) {
      pipelines.values().forEach(p -> left.addAll(p.waiting));
      pipelines.clear();
    }
    fail(left, shuttingDown());
  }
}
