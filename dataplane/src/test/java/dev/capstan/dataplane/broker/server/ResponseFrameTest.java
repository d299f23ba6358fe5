package dev.capstan.dataplane.broker.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.dataplane.broker.log.LogConfig;
import dev.capstan.dataplane.broker.log.LogSlice;
import dev.capstan.dataplane.broker.log.PartitionLog;
import dev.capstan.dataplane.testing.ManualClock;
import io.netty.buffer.ByteBuf;
import io.netty.channel.FileRegion;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.network.ClientInformation;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.RequestContext;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.RequestUtils;
import org.apache.kafka.common.requests.ResponseHeader;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A Fetch response with records left in the segment files, as the socket gets it. */
class ResponseFrameTest {

  private static final long NOW = 1_700_000_000_000L;

  @TempDir
  Path dir;

  private static RequestContext context(short version) throws IOException {
    RequestHeader header = new RequestHeader(ApiKeys.FETCH, version, "test-client", 17);
    return new RequestContext(header, "conn", InetAddress.getLoopbackAddress(), Optional.empty(),
        KafkaPrincipal.ANONYMOUS, ListenerName.forSecurityProtocol(SecurityProtocol.PLAINTEXT),
        SecurityProtocol.PLAINTEXT, ClientInformation.EMPTY, false);
  }

  /** Three partitions: two with records, one empty between them, each with its own records object. */
  private static FetchResponseData response(Function<Integer, BaseRecords> recordsOf) {
    FetchResponseData.FetchableTopicResponse topic = new FetchResponseData.FetchableTopicResponse()
        .setTopic("events").setTopicId(new Uuid(1, 2));
    for (int p = 0; p < 3; p++) {
      topic.partitions().add(new FetchResponseData.PartitionData().setPartitionIndex(p)
          .setErrorCode(Errors.NONE.code()).setHighWatermark(100).setLastStableOffset(100).setLogStartOffset(0)
          .setRecords(recordsOf.apply(p)));
    }
    FetchResponseData data = new FetchResponseData().setErrorCode(Errors.NONE.code()).setSessionId(0);
    data.responses().add(topic);
    return data;
  }

  private static PartitionLog logWithBatches(Path dir, int batches) throws IOException {
    PartitionLog log = PartitionLog.open(dir, new LogConfig(600, Long.MAX_VALUE, 0, Long.MAX_VALUE),
        new ManualClock(NOW));
    for (int i = 0; i < batches; i++) {
      MemoryRecords batch = MemoryRecords.withRecords(Compression.NONE,
          new SimpleRecord(NOW + i, ("k" + i).getBytes(StandardCharsets.UTF_8), ("value-" + i).repeat(5)
              .getBytes(StandardCharsets.UTF_8)),
          new SimpleRecord(NOW + i, null, ("second-" + i).getBytes(StandardCharsets.UTF_8)));
      byte[] bytes = new byte[batch.sizeInBytes()];
      batch.buffer().duplicate().get(bytes);
      log.append(bytes);
    }
    return log;
  }

  /** What the frame puts on the wire, regions read through their channels. */
  private static byte[] wireBytes(ResponseFrame frame) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    WritableByteChannel sink = Channels.newChannel(out);
    for (Object part : frame.parts()) {
      if (part instanceof ByteBuf buf) {
        buf.getBytes(buf.readerIndex(), out, buf.readableBytes());
      } else {
        FileRegion region = (FileRegion) part;
        while (region.transferred() < region.count()) {
          region.transferTo(sink, region.transferred());
        }
      }
    }
    return out.toByteArray();
  }

  @ParameterizedTest
  @ValueSource(shorts = {4, 11, 12, 16})
  void theFrameIsByteForByteWhatKafkaClientsSerializesWithTheRecordsInMemory(short version) throws IOException {
    try (PartitionLog log0 = logWithBatches(dir.resolve("p0"), 8);
         PartitionLog log2 = logWithBatches(dir.resolve("p2"), 3)) {
      List<PartitionLog> logs = List.of(log0, log0, log2);
      FetchResponseData zeroCopy = response(p -> p == 1 ? MemoryRecords.EMPTY
          : new SliceRecords(slice(logs.get(p), 2, 500)));
      FetchResponseData inMemory = response(p -> p == 1 ? MemoryRecords.EMPTY
          : MemoryRecords.readableRecords(ByteBuffer.wrap(read(logs.get(p), 2, 500))));

      ResponseFrame frame = ResponseFrame.of(context(version), FetchResponse.of(zeroCopy));
      byte[] wire = wireBytes(frame);
      frame.release();

      RequestContext context = context(version);
      ResponseHeader header = context.header.toResponseHeader();
      ByteBuffer body = RequestUtils.serialize(header.data(), header.headerVersion(), inMemory, version);
      ByteBuffer expected = ByteBuffer.allocate(4 + body.remaining()).putInt(body.remaining()).put(body).flip();
      assertThat(wire).isEqualTo(expected.array());
      assertThat(frame.sizeInBytes()).isEqualTo(wire.length);
      assertThat(frame.parts()).first().isInstanceOf(ByteBuf.class);
      assertThat(frame.parts()).filteredOn(FileRegion.class::isInstance)
          .as("the records of partitions 0 and 2 stay in the files; only the rest is in buffers")
          .extracting(part -> ((FileRegion) part).count())
          .containsExactly((long) read(log0, 2, 500).length, (long) read(log2, 2, 500).length);
    }
  }

  @Test
  void releasingAFrameClosesTheSliceChannelsAndSendingStillWorksAfterRetention() throws IOException {
    try (PartitionLog log = logWithBatches(dir, 12)) {
      byte[] expected = read(log, 0, Integer.MAX_VALUE);
      LogSlice slice = slice(log, 0, Integer.MAX_VALUE);
      ResponseFrame frame = ResponseFrame.of(context((short) 12),
          FetchResponse.of(response(p -> p == 0 ? new SliceRecords(slice) : MemoryRecords.EMPTY)));

      assertThat(log.deleteOldSegments(NOW + 1, -1, 1)).as("the fetched segment is deleted").isPositive();
      assertThat(log.logStartOffset()).isPositive();
      byte[] wire = wireBytes(frame);
      assertThat(new String(wire, StandardCharsets.ISO_8859_1))
          .contains(new String(expected, StandardCharsets.ISO_8859_1));

      assertThat(slice.channel().isOpen()).isTrue();
      frame.release();
      assertThat(slice.channel().isOpen()).as("the region owned the channel").isFalse();
    }
  }

  @Test
  void aDiscardedResponseClosesItsSlices() throws IOException {
    try (PartitionLog log = logWithBatches(dir, 4)) {
      List<LogSlice> slices = new ArrayList<>();
      FetchResponseData data = response(p -> {
        LogSlice slice = slice(log, p, Integer.MAX_VALUE);
        slices.add(slice);
        return new SliceRecords(slice);
      });
      SliceRecords.closeAll(data);
      assertThat(slices).hasSize(3).allSatisfy(s -> assertThat(s.channel().isOpen()).isFalse());
    }
  }

  private static LogSlice slice(PartitionLog log, long offset, int maxBytes) {
    try {
      return log.slice(offset, maxBytes).orElseThrow();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static byte[] read(PartitionLog log, long offset, int maxBytes) {
    try {
      return log.read(offset, maxBytes);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
