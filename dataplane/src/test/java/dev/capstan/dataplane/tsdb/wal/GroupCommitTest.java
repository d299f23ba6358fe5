package dev.capstan.dataplane.tsdb.wal;

import static dev.capstan.dataplane.tsdb.wal.Payloads.expected;
import static dev.capstan.dataplane.tsdb.wal.Payloads.readAll;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link WriteAheadLog#syncThrough}: writers append under their owner's lock and force outside it. */
class GroupCommitTest {
  @TempDir Path dir;

  @Test
  void concurrentWritersForcingOutsideTheOwnersLockLoseNothingAcrossRolls() throws Exception {
    // Small segments, so rolls (which close the channel a concurrent force may hold) happen often.
    WalOptions options = new WalOptions(4096, FsyncPolicy.EVERY_BATCH);
    int writers = 4;
    int batchesEach = 150;
    ReentrantLock owner = new ReentrantLock();
    try (WriteAheadLog wal = WriteAheadLog.open(dir, options)) {
      ExecutorService pool = Executors.newFixedThreadPool(writers);
      try {
        List<Future<?>> done = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
          done.add(pool.submit(() -> {
            for (int b = 0; b < batchesEach; b++) {
              long sequence;
              owner.lock();
              try {
                // Payloads are a function of their sequence number, so the next one is known here.
                sequence = wal.appendUnforced(List.of(Payloads.forSequence(wal.lastSequence() + 1)));
              } finally {
                owner.unlock();
              }
              wal.syncThrough(sequence);
            }
            return null;
          }));
        }
        for (Future<?> f : done) {
          f.get();
        }
      } finally {
        pool.shutdown();
      }
      assertThat(wal.lastSequence()).isEqualTo(writers * batchesEach);
      assertThat(wal.segmentFiles()).hasSizeGreaterThan(10);
    }
    try (WriteAheadLog reopened = WriteAheadLog.open(dir, options)) {
      assertThat(reopened.recovery().droppedBytes()).isZero();
      assertThat(readAll(reopened, 1)).isEqualTo(expected(1, writers * batchesEach));
    }
  }

  @Test
  void recordsForcedByCloseOrRollNeedNoFurtherForce() throws IOException {
    WriteAheadLog wal = WriteAheadLog.open(dir, new WalOptions(4096, FsyncPolicy.EVERY_BATCH));
    long sequence = wal.appendUnforced(List.of(Payloads.forSequence(1)));
    wal.close(); // forces what was appended
    wal.syncThrough(sequence); // already durable: returns instead of failing on the closed channel
    try (WriteAheadLog reopened = WriteAheadLog.open(dir, new WalOptions(4096, FsyncPolicy.EVERY_BATCH))) {
      assertThat(readAll(reopened, 1)).isEqualTo(expected(1, 1));
    }
  }

  @Test
  void appendUnforcedThenSyncThroughIsWhatAppendDoes() throws IOException {
    try (WriteAheadLog wal = WriteAheadLog.open(dir, new WalOptions(1 << 20, FsyncPolicy.EVERY_BATCH))) {
      long first = wal.appendUnforced(Payloads.batch(1, 3));
      wal.syncThrough(first);
      long second = wal.append(Payloads.batch(4, 2));
      assertThat(first).isEqualTo(3);
      assertThat(second).isEqualTo(5);
      assertThat(readAll(wal, 1)).isEqualTo(expected(1, 5));
    }
  }
}
