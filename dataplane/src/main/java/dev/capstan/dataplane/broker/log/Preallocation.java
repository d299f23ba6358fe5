package dev.capstan.dataplane.broker.log;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps zeros on disk ahead of an active segment's log end, so that an fdatasync after an append
 * finds the blocks already allocated and the file size unchanged: it writes the data and flushes
 * the device cache, with no journal commit. An append to a growing file needs one per sync, and
 * on ext4 (data=ordered) that commit also waits for other files' pending data, so a sync paid for
 * the writeback of whatever else the machine wrote.
 *
 * <p>Chunks of zeros are written in the background with direct I/O and synced once each: direct,
 * so that they never sit as dirty pages that an append's fdatasync would have to write out. The
 * chunk being filled lies past the log end at the time it is claimed, and an append that would
 * reach into it waits until it is written: the zeros must never land on appended batches. What a
 * crash leaves past the last batch (zeros, or a chunk half written) is cut off by recovery, which
 * stops at the first position that does not hold a valid batch; a segment that stops being
 * active is cut to its batches first ({@link #seal()}).
 */
final class Preallocation {

  private static final Logger LOG = LoggerFactory.getLogger(Preallocation.class);
  /** Direct I/O wants block-aligned offsets, lengths and memory; 4 KiB suits every common device. */
  static final int ALIGNMENT = 4096;
  /** The largest chunk: the size of the one buffer of zeros. */
  static final int MAX_CHUNK_BYTES = 8 << 20;
  /**
   * One thread for the whole broker: a chunk costs a sequential write and one journal commit, a
   * few ms per 4 MiB, far ahead of the appends that will use it.
   */
  private static final ExecutorService FILLER = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "log-preallocate");
    t.setDaemon(true);
    return t;
  });

  private static final ThreadLocal<ByteBuffer> SCRATCH = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(1 << 20));

  private final Path logPath;
  private final int chunkBytes;
  private final int limit;
  private final Executor filler;
  /** Guarded by {@code this}: bytes from 0 known to be allocated on disk; below it appends need no journal. */
  private int filledEnd;
  /** Guarded by {@code this}: start of the chunk being written, -1 when none is. */
  private int fillingFrom = -1;
  private int fillingTo;
  private boolean sealed;

  /**
   * @param chunkBytes zeros written per step, a multiple of {@link #ALIGNMENT}
   * @param limit      no zeros at or past this position (the segment's size limit)
   */
  Preallocation(Path logPath, int chunkBytes, int limit) {
    this(logPath, chunkBytes, limit, FILLER);
  }

  Preallocation(Path logPath, int chunkBytes, int limit, Executor filler) {
    if (chunkBytes <= 0 || chunkBytes > MAX_CHUNK_BYTES || chunkBytes % ALIGNMENT != 0) {
      throw new IllegalArgumentException("chunkBytes must be a positive multiple of " + ALIGNMENT + " up to "
          + MAX_CHUNK_BYTES + ", got " + chunkBytes);
    }
    this.logPath = logPath;
    this.chunkBytes = chunkBytes;
    this.limit = limit;
    this.filler = filler;
  }

  /** Blocks until no chunk being written overlaps the bytes below {@code end}, about to be appended. */
  synchronized void awaitRoomFor(long end) throws IOException {
    awaitWhile(() -> fillingFrom >= 0 && end > fillingFrom);
  }

  /**
   * After an append that left the log end at {@code logEnd}: starts the next chunk when less than
   * half a chunk of zeros is left ahead and none is being written. Nothing happens before the
   * first append, so an idle partition costs no zeros. When the appends are past the zeros (the
   * first chunk, or a filler that fell behind), the chunk starts a quarter chunk ahead, so that
   * appends go on while it is written rather than wait for it.
   */
  void appended(int logEnd) {
    int from;
    int to;
    synchronized (this) {
      if (sealed || fillingFrom >= 0 || filledEnd - logEnd >= chunkBytes / 2) {
        return;
      }
      from = filledEnd >= logEnd ? filledEnd : roundUp((long) logEnd + chunkBytes / 4);
      to = (int) Math.min((long) from + chunkBytes, roundUp(limit));
      if (to <= from) {
        return;
      }
      fillingFrom = from;
      fillingTo = to;
    }
    try {
      filler.execute(() -> fill(from, to));
    } catch (RuntimeException e) {
      finish(false);
    }
  }

  private void fill(int from, int to) {
    boolean written = false;
    synchronized (this) {
      if (sealed) {
        fillingFrom = -1;
        notifyAll();
        return;
      }
    }
    try (FileChannel direct = FileChannel.open(logPath, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT)) {
      ByteBuffer zeros = Zeros.slice(to - from);
      long at = from;
      while (zeros.hasRemaining()) {
        at += direct.write(zeros, at);
      }
      direct.force(false);
      written = true;
      cache(from, to);
    } catch (UnsupportedOperationException | IOException e) {
      // a file system without direct I/O (tmpfs), or the segment is gone (deleted by retention)
      LOG.debug("No zeros ahead of {}: {}", logPath, e.toString());
    } finally {
      finish(written);
    }
  }

  /**
   * Reads the zeros back through the page cache. An append covers its last page only in part,
   * and a page inside the file that is not cached is read from the disk before a part of it is
   * written: without this, every append would wait for such a read (direct I/O leaves nothing
   * cached). Clean pages: a sync has nothing to write for them.
   */
  private void cache(int from, int to) throws IOException {
    ByteBuffer scratch = SCRATCH.get();
    try (FileChannel file = FileChannel.open(logPath, StandardOpenOption.READ)) {
      for (long at = from; at < to; ) {
        scratch.clear().limit((int) Math.min(scratch.capacity(), to - at));
        int read = file.read(scratch, at);
        if (read < 0) {
          return;
        }
        at += read;
      }
    }
  }

  private synchronized void finish(boolean written) {
    if (written) {
      filledEnd = fillingTo;
    } else {
      // do not retry on every append: one failure says this file system does not take it
      sealed = true;
    }
    fillingFrom = -1;
    notifyAll();
  }

  /** No more chunks; waits for one being written, so that the file can be cut to its batches. */
  synchronized void seal() {
    sealed = true;
    awaitWhile(() -> fillingFrom >= 0);
  }

  /**
   * Waits on this monitor (held by the caller) while {@code busy} holds; an interrupt does not
   * end the wait (the chunk being written must finish first) but is kept for the caller.
   */
  private void awaitWhile(BooleanSupplier busy) {
    boolean interrupted = false;
    while (busy.getAsBoolean()) {
      try {
        wait();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Bytes from the start known to be allocated on disk (for tests). */
  synchronized int filledEnd() {
    return filledEnd;
  }

  private static int roundUp(long position) {
    return (int) Math.min(Integer.MAX_VALUE - ALIGNMENT + 1, (position + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT);
  }

  /** One aligned, direct buffer of zeros, shared read-only: each write takes its own view. */
  private static final class Zeros {
    private static final int MAX = MAX_CHUNK_BYTES;
    private static final ByteBuffer BUFFER = ByteBuffer.allocateDirect(MAX + ALIGNMENT).alignedSlice(ALIGNMENT);

    static ByteBuffer slice(int bytes) {
      if (bytes > MAX) {
        throw new IllegalArgumentException("at most " + MAX + " bytes of zeros per write, got " + bytes);
      }
      return BUFFER.duplicate().position(0).limit(bytes).slice();
    }
  }
}
