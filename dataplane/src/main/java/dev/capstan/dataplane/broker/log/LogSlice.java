package dev.capstan.dataplane.broker.log;

import java.io.IOException;
import java.nio.channels.FileChannel;

/**
 * Whole batches of one segment file, as a byte range of a read-only channel opened for this slice
 * alone: whoever sends the bytes owns the channel and closes it when done (or {@link #close()}s
 * the slice unsent). Because the channel is the slice's own, retention may delete the segment,
 * or a reconfiguration reopen the log, while the bytes are still on their way: an open file
 * outlives its unlink, and a segment only ever grows past the range, never changes inside it.
 */
public record LogSlice(FileChannel channel, long position, int sizeInBytes) implements AutoCloseable {

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
