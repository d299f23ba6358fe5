package dev.capstan.dataplane.broker.server;

import dev.capstan.dataplane.broker.log.LogSlice;
import java.io.IOException;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.network.TransferableChannel;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.RecordsSend;

/**
 * The records of one Fetch response partition, left in the segment file. kafka-clients'
 * {@code SendBuilder} writes the rest of the response into buffers and asks these records for a
 * {@link RecordsSend}, which hands the file range to {@link TransferableChannel#transferFrom}:
 * {@link ResponseFrame} turns that into a Netty file region, so the bytes go from the page cache
 * to the socket without passing through the heap (sendfile with epoll, transferTo with NIO).
 *
 * <p>Until it is sent, this owns the slice's channel: a response that is dropped instead must be
 * {@link #closeAll closed}.
 */
final class SliceRecords implements BaseRecords, AutoCloseable {

  private final LogSlice slice;

  SliceRecords(LogSlice slice) {
    this.slice = slice;
  }

  @Override
  public int sizeInBytes() {
    return slice.sizeInBytes();
  }

  @Override
  public RecordsSend<SliceRecords> toSend() {
    return new RecordsSend<>(this, slice.sizeInBytes()) {
      @Override
      protected int writeTo(TransferableChannel channel, int previouslyWritten, int remaining) throws IOException {
        return Math.toIntExact(channel.transferFrom(slice.channel(), slice.position() + previouslyWritten, remaining));
      }
    };
  }

  @Override
  public void close() throws IOException {
    slice.close();
  }

  /** Closes the file of every partition's records in a response that will not be sent. */
  static void closeAll(FetchResponseData data) {
    for (FetchResponseData.FetchableTopicResponse topic : data.responses()) {
      for (FetchResponseData.PartitionData partition : topic.partitions()) {
        if (partition.records() instanceof SliceRecords records) {
          try {
            records.close();
          } catch (IOException ignored) {
            // a read-only channel: nothing was written that closing could lose
          }
        }
      }
    }
  }
}
