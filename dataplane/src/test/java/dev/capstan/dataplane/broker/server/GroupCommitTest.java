package dev.capstan.dataplane.broker.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GroupCommitTest {

  /**
   * A partition whose appends are a counter and whose syncs each wait until the test ends them,
   * in any order: a sync covers the count it found when it started, and {@link #durable} is
   * what finished syncs have covered, so a released waiter can be checked against it.
   */
  static final class Disk implements GroupCommit.Target {
    final String name;
    final AtomicLong appended = new AtomicLong();
    final AtomicLong durable = new AtomicLong();
    final BlockingQueue<Sync> started = new LinkedBlockingQueue<>();
    final AtomicInteger startedCount = new AtomicInteger();
    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger mostRunning = new AtomicInteger();

    /** One sync in flight; the test ends it with {@link #succeed()} or {@link #fail()}. */
    static final class Sync {
      final long end;
      final CompletableFuture<Boolean> outcome = new CompletableFuture<>();

      Sync(long end) {
        this.end = end;
      }

      void succeed() {
        outcome.complete(true);
      }

      void fail() {
        outcome.complete(false);
      }
    }

    Disk(String name) {
      this.name = name;
    }

    long append(long bytes) {
      return appended.addAndGet(bytes);
    }

    @Override
    public long appendedUpTo() {
      return appended.get();
    }

    @Override
    public long sync() throws IOException {
      Sync sync = new Sync(appended.get());
      mostRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
      startedCount.incrementAndGet();
      started.add(sync);
      boolean ok = sync.outcome.join();
      running.decrementAndGet();
      if (!ok) {
        throw new IOException("disk full");
      }
      durable.accumulateAndGet(sync.end, Math::max);
      return sync.end;
    }

    /** The next sync to start, waiting for it. */
    Sync next() throws InterruptedException {
      Sync sync = started.poll(10, TimeUnit.SECONDS);
      assertThat(sync).as("a sync of %s started", name).isNotNull();
      return sync;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  private final ExecutorService flushers = Executors.newFixedThreadPool(6);
  /** Waiters released per finished sync, in the order the syncs finished. */
  private final java.util.Queue<Integer> released = new java.util.concurrent.ConcurrentLinkedQueue<>();
  private final GroupCommit commit = new GroupCommit(flushers, 2, (nanos, count) -> released.add(count));

  @AfterEach
  void close() {
    commit.close();
  }

  /** Appends {@code bytes} to {@code disk} and waits, through the group commit, for their sync. */
  private CompletableFuture<Void> appendAndSync(Disk disk, long bytes) {
    disk.append(bytes);
    return commit.sync(disk);
  }

  @Test
  void aWaiterThatComesDuringASyncStartsItsOwnAtOnceAndTheEarlierSyncDoesNotReleaseIt() throws Exception {
    Disk disk = new Disk("p-0");
    CompletableFuture<Void> first = appendAndSync(disk, 10);
    Disk.Sync firstSync = disk.next();

    CompletableFuture<Void> second = appendAndSync(disk, 10);
    Disk.Sync secondSync = disk.next();
    assertThat(secondSync.end).as("started while the first runs, covering the second append").isEqualTo(20);

    firstSync.succeed();
    await().until(first::isDone);
    assertThat(first).isCompleted();
    assertThat(second).as("its bytes lie past what the first sync covered").isNotDone();

    secondSync.succeed();
    await().until(second::isDone);
    assertThat(second).isCompleted();
    assertThat(disk.startedCount).hasValue(2);
  }

  @Test
  void aLaterSyncThatEndsFirstReleasesEveryoneItCoversAndTheEarlierOneCannotMoveTheSyncedPositionBack() throws Exception {
    Disk disk = new Disk("p-0");
    CompletableFuture<Void> first = appendAndSync(disk, 10);
    Disk.Sync firstSync = disk.next();
    CompletableFuture<Void> second = appendAndSync(disk, 10);
    Disk.Sync secondSync = disk.next();

    secondSync.succeed();
    await().until(() -> first.isDone() && second.isDone());
    assertThat(first).as("covered by the later sync").isCompleted();
    assertThat(second).isCompleted();

    // nothing appended since: already on disk, so released without another sync
    CompletableFuture<Void> again = commit.sync(disk);
    assertThat(again).isCompleted();
    firstSync.succeed();
    await().until(() -> released.size() == 2);
    assertThat(disk.startedCount).hasValue(2);
    assertThat(released).as("the later sync released both, the earlier one nobody").containsExactly(2, 0);
  }

  @Test
  void atMostTheBoundOfSyncsRunAndWaitersThatFindItReachedShareTheNextOne() throws Exception {
    Disk disk = new Disk("p-0");
    CompletableFuture<Void> a = appendAndSync(disk, 1);
    Disk.Sync syncA = disk.next();
    CompletableFuture<Void> b = appendAndSync(disk, 1);
    Disk.Sync syncB = disk.next();
    CompletableFuture<Void> c = appendAndSync(disk, 1);
    CompletableFuture<Void> d = appendAndSync(disk, 1);

    syncA.succeed();
    Disk.Sync shared = disk.next();
    assertThat(shared.end).as("started when a slot freed, covering both queued waiters").isEqualTo(4);
    await().until(a::isDone);
    assertThat(List.of(b, c, d)).noneMatch(CompletableFuture::isDone);

    shared.succeed();
    await().until(() -> b.isDone() && c.isDone() && d.isDone());
    syncB.succeed();
    await().until(() -> disk.running.get() == 0);
    assertThat(disk.startedCount).hasValue(3);
    assertThat(disk.mostRunning).hasValue(2);
  }

  /**
   * Random appends, waiters and sync endings in random order; every waiter, when released, must
   * find the disk durable up to its bytes, no more than two syncs may run, and every waiter ends.
   */
  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 42, 2026})
  void noWaiterIsEverReleasedBeforeItsBytesAreDurable(long seed) throws Exception {
    Random random = new Random(seed);
    Disk disk = new Disk("p-" + seed);
    List<CompletableFuture<Void>> waiters = new ArrayList<>();
    List<String> early = java.util.Collections.synchronizedList(new ArrayList<>());
    List<Disk.Sync> inFlight = new ArrayList<>();
    for (int step = 0; step < 300; step++) {
      disk.started.drainTo(inFlight);
      if (random.nextInt(3) > 0 || inFlight.isEmpty()) {
        long end = disk.append(1 + random.nextInt(100));
        CompletableFuture<Void> waiter = commit.sync(disk);
        waiter.thenRun(() -> {
          if (disk.durable.get() < end) {
            early.add("released at " + disk.durable.get() + " with bytes up to " + end);
          }
        });
        waiters.add(waiter);
      } else {
        inFlight.remove(random.nextInt(inFlight.size())).succeed();
      }
    }
    while (!waiters.stream().allMatch(CompletableFuture::isDone)) {
      Disk.Sync sync = disk.started.poll(100, TimeUnit.MILLISECONDS);
      if (sync != null) {
        inFlight.add(sync);
      }
      if (!inFlight.isEmpty()) {
        inFlight.remove(random.nextInt(inFlight.size())).succeed();
      }
    }

    // a sync submitted for waiters an earlier one happened to cover may still be starting
    ThreadPoolExecutor pool = (ThreadPoolExecutor) flushers;
    await().until(() -> {
      disk.started.drainTo(inFlight);
      inFlight.forEach(Disk.Sync::succeed);
      return pool.getActiveCount() == 0 && pool.getQueue().isEmpty();
    });

    assertThat(early).isEmpty();
    assertThat(waiters).allMatch(w -> !w.isCompletedExceptionally());
    assertThat(disk.mostRunning.get()).isBetween(1, 2);
    assertThat(disk.startedCount.get()).as("syncs are shared").isLessThan(waiters.size());
  }

  @Test
  void aPartitionWhoseSyncIsSlowDoesNotHoldUpAnother() throws Exception {
    Disk slow = new Disk("slow-0");
    Disk fast = new Disk("fast-0");
    CompletableFuture<Void> slowWaiter = appendAndSync(slow, 1);
    Disk.Sync slowSync = slow.next();

    CompletableFuture<Void> fastFirst = appendAndSync(fast, 1);
    fast.next().succeed();
    await().until(fastFirst::isDone);
    CompletableFuture<Void> fastSecond = appendAndSync(fast, 1);
    fast.next().succeed();
    await().until(fastSecond::isDone);

    assertThat(fastSecond).isCompleted();
    assertThat(slowWaiter).isNotDone();
    slowSync.succeed();
    await().until(slowWaiter::isDone);
    assertThat(slowWaiter).isCompleted();
  }

  @Test
  void aFailedSyncFailsEveryWaiterAndASyncThatRanBesideItReleasesNobodyUntilANewOneSucceeds() throws Exception {
    Disk broken = new Disk("broken-0");
    Disk healthy = new Disk("healthy-0");
    CompletableFuture<Void> first = appendAndSync(broken, 10);
    Disk.Sync failing = broken.next();
    CompletableFuture<Void> second = appendAndSync(broken, 10);
    Disk.Sync beside = broken.next();
    CompletableFuture<Void> kept = appendAndSync(healthy, 10);
    healthy.next().succeed();

    failing.fail();
    await().until(() -> first.isDone() && second.isDone());
    assertThat(first).isCompletedExceptionally();
    assertThat(second).as("its bytes may have sat in pages the failed fdatasync dropped").isCompletedExceptionally();
    assertThatThrownBy(first::get).isInstanceOf(ExecutionException.class).cause()
        .isInstanceOf(IOException.class).hasMessage("fsync of broken-0 failed");
    await().until(kept::isDone);
    assertThat(kept).isCompleted();

    // nothing new appended, yet the retry must wait for a sync started after the failure
    CompletableFuture<Void> retried = commit.sync(broken);
    Disk.Sync fresh = broken.next();
    beside.succeed();
    // the failed sync, the healthy one and the one beside: all booked
    await().until(() -> ((ThreadPoolExecutor) flushers).getCompletedTaskCount() == 3);
    assertThat(retried).as("the sync that ran beside the failed one proves nothing").isNotDone();
    fresh.succeed();
    await().until(retried::isDone);
    assertThat(retried).isCompleted();
  }

  @Test
  void closingFailsWaitersNoSyncCoversAndRefusesNewOnes() throws Exception {
    Disk disk = new Disk("p-0");
    CompletableFuture<Void> running = appendAndSync(disk, 1);
    Disk.Sync sync = disk.next();
    CompletableFuture<Void> second = appendAndSync(disk, 1);
    Disk.Sync secondSync = disk.next();
    CompletableFuture<Void> queued = appendAndSync(disk, 1);

    CountDownLatch closed = new CountDownLatch(1);
    Thread closer = new Thread(() -> {
      commit.close();
      closed.countDown();
    });
    closer.start();
    // the running syncs end only once close() has stopped the flushers, so the queued waiter is left
    await().until(flushers::isShutdown);
    sync.succeed();
    secondSync.succeed();
    assertThat(closed.await(10, TimeUnit.SECONDS)).isTrue();

    assertThat(running).as("its sync ran to the end").isCompleted();
    assertThat(second).isCompleted();
    assertThat(queued).isCompletedExceptionally();
    assertThat(commit.sync(disk)).isCompletedExceptionally();
  }

  @Test
  void aBoundBelowOneIsRefused() {
    assertThatThrownBy(() -> new GroupCommit(flushers, 0, GroupCommit.SyncListener.NONE)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("syncsPerTarget must be at least 1, was 0");
  }
}
