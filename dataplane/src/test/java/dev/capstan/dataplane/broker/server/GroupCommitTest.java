package dev.capstan.dataplane.broker.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GroupCommitTest {

  /** A target whose syncs each wait for a permit, so the test decides when a sync ends. */
  static final class Disk implements GroupCommit.Target {
    final String name;
    final Semaphore permits = new Semaphore(0);
    final AtomicInteger started = new AtomicInteger();
    final AtomicInteger finished = new AtomicInteger();
    volatile boolean fail;

    Disk(String name) {
      this.name = name;
    }

    @Override
    public void flush() throws IOException {
      started.incrementAndGet();
      permits.acquireUninterruptibly();
      finished.incrementAndGet();
      if (fail) {
        throw new IOException("disk full");
      }
    }

    @Override
    public String toString() {
      return name;
    }
  }

  private final ExecutorService flushers = Executors.newFixedThreadPool(4);
  private final GroupCommit commit = new GroupCommit(flushers);

  @AfterEach
  void close() {
    commit.close();
  }

  @Test
  void waitersThatComeDuringASyncShareTheNextOneAndAreNotReleasedByTheRunningOne() {
    Disk disk = new Disk("p-0");
    CompletableFuture<Void> first = commit.sync(disk);
    await().untilAsserted(() -> assertThat(disk.started).hasValue(1));

    CompletableFuture<Void> second = commit.sync(disk);
    CompletableFuture<Void> third = commit.sync(disk);
    disk.permits.release();

    await().until(first::isDone);
    await().untilAsserted(() -> assertThat(disk.started).hasValue(2));
    assertThat(second).as("appended after the first sync started").isNotDone();
    assertThat(third).isNotDone();

    disk.permits.release();
    await().until(() -> second.isDone() && third.isDone());
    assertThat(first).isCompleted();
    assertThat(second).isCompleted();
    assertThat(disk.finished).as("one sync for both late waiters").hasValue(2);
  }

  @Test
  void aPartitionWhoseSyncIsSlowDoesNotHoldUpAnother() {
    Disk slow = new Disk("slow-0");
    Disk fast = new Disk("fast-0");
    CompletableFuture<Void> slowWaiter = commit.sync(slow);
    await().untilAsserted(() -> assertThat(slow.started).hasValue(1));

    CompletableFuture<Void> fastFirst = commit.sync(fast);
    fast.permits.release(2);
    await().until(fastFirst::isDone);
    CompletableFuture<Void> fastSecond = commit.sync(fast);
    await().until(fastSecond::isDone);

    assertThat(fastSecond).isCompleted();
    assertThat(slowWaiter).isNotDone();
    slow.permits.release();
    await().until(slowWaiter::isDone);
  }

  @Test
  void aFailedSyncFailsOnlyItsOwnWaitersAndTheNextSyncOfThatPartitionCanSucceed() throws Exception {
    Disk broken = new Disk("broken-0");
    Disk healthy = new Disk("healthy-0");
    broken.fail = true;
    broken.permits.release();
    healthy.permits.release();

    CompletableFuture<Void> lost = commit.sync(broken);
    CompletableFuture<Void> kept = commit.sync(healthy);

    await().until(() -> lost.isDone() && kept.isDone());
    assertThat(kept).isCompleted();
    assertThat(lost).isCompletedExceptionally();
    try {
      lost.get();
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(IOException.class).hasMessage("fsync of broken-0 failed");
    }

    broken.fail = false;
    broken.permits.release();
    CompletableFuture<Void> retried = commit.sync(broken);
    await().until(retried::isDone);
    assertThat(retried).isCompleted();
  }

  @Test
  void closingFailsWaitersNoSyncCoversAndRefusesNewOnes() throws Exception {
    Disk disk = new Disk("p-0");
    CompletableFuture<Void> running = commit.sync(disk);
    await().untilAsserted(() -> assertThat(disk.started).hasValue(1));
    CompletableFuture<Void> queued = commit.sync(disk);

    CountDownLatch closed = new CountDownLatch(1);
    Thread closer = new Thread(() -> {
      commit.close();
      closed.countDown();
    });
    closer.start();
    // the running sync ends only once close() has stopped the flushers, so the queued waiter is left
    await().until(flushers::isShutdown);
    disk.permits.release(2);
    assertThat(closed.await(10, TimeUnit.SECONDS)).isTrue();

    assertThat(running).as("its sync ran to the end").isCompleted();
    assertThat(queued).isCompletedExceptionally();
    assertThat(commit.sync(disk)).isCompletedExceptionally();
  }
}
