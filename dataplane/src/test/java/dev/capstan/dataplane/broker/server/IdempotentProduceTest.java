package dev.capstan.dataplane.broker.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The idempotent-producer rules on the wire, with hand-made batches: a retried batch gets its
 * original offsets (also after a broker restart, from the rebuilt producer state), a sequence gap
 * is refused, and a batch whose CRC does not match is refused.
 */
class IdempotentProduceTest {

  private static final long PRODUCER_ID = 4242;

  @TempDir
  Path dir;

  private static MemoryRecords batch(int baseSequence, String... values) {
    SimpleRecord[] records = new SimpleRecord[values.length];
    for (int i = 0; i < values.length; i++) {
      records[i] = new SimpleRecord(1_000L + i, values[i].getBytes(StandardCharsets.UTF_8));
    }
    return MemoryRecords.withIdempotentRecords(Compression.NONE, PRODUCER_ID, (short) 0, baseSequence, records);
  }

  /** Produces one batch to idem-0 with acks=all; returns (error, base offset). */
  private static ProduceResponseData.PartitionProduceResponse produce(int port, MemoryRecords records) throws Exception {
    return produce(port, records, false);
  }

  /**
   * As {@link #produce(int, MemoryRecords)}; {@code unchecked} skips the client's own check that
   * a request holds one batch per partition, to see what the broker does with more.
   */
  private static ProduceResponseData.PartitionProduceResponse produce(int port, MemoryRecords records, boolean unchecked)
      throws Exception {
    ProduceRequestData data = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(5000);
    ProduceRequestData.TopicProduceData topic = new ProduceRequestData.TopicProduceData().setName("idem");
    topic.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(records));
    data.topicData().add(topic);
    ProduceRequest request = unchecked ? new ProduceRequest(data, (short) 9) : ProduceRequest.builder(data).build((short) 9);
    ProduceResponse response = (ProduceResponse) send(port, request);
    return response.data().responses().iterator().next().partitionResponses().get(0);
  }

  private static AbstractResponse send(int port, AbstractRequest request) throws Exception {
    RequestHeader header = new RequestHeader(request.apiKey(), request.version(), "raw", 1);
    ByteBuffer frame = request.serializeWithHeader(header);
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      DataOutputStream out = new DataOutputStream(socket.getOutputStream());
      out.writeInt(frame.remaining());
      out.write(frame.array(), frame.arrayOffset() + frame.position(), frame.remaining());
      out.flush();
      DataInputStream in = new DataInputStream(socket.getInputStream());
      byte[] bytes = new byte[in.readInt()];
      in.readFully(bytes);
      return AbstractResponse.parseResponse(ByteBuffer.wrap(bytes), header);
    }
  }

  @Test
  void retriesAreAnsweredWithTheOriginalOffsetsAndGapsAreRefused() throws Exception {
    MemoryRecords first = batch(0, "a", "b", "c");
    MemoryRecords second = batch(3, "d", "e");
    try (TestBroker broker = TestBroker.start(dir)) {
      try (Admin admin = broker.admin()) {
        admin.createTopics(List.of(new NewTopic("idem", 1, (short) 1))).all().get();
      }
      int port = broker.server.port();
      assertThat(produce(port, first).baseOffset()).isZero();
      assertThat(produce(port, second).baseOffset()).isEqualTo(3);

      ProduceResponseData.PartitionProduceResponse retry = produce(port, batch(0, "a", "b", "c"));
      assertThat(Errors.forCode(retry.errorCode())).isEqualTo(Errors.NONE);
      assertThat(retry.baseOffset()).isZero();

      ProduceResponseData.PartitionProduceResponse gap = produce(port, batch(10, "z"));
      assertThat(Errors.forCode(gap.errorCode())).isEqualTo(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER);
      assertThat(gap.errorMessage()).contains("10 (incoming seq. number), 4 (current end sequence number)");

      ByteBuffer corrupt = batch(5, "f").buffer().duplicate();
      corrupt.put(corrupt.limit() - 1, (byte) (corrupt.get(corrupt.limit() - 1) ^ 0x5a));
      ProduceResponseData.PartitionProduceResponse bad = produce(port, MemoryRecords.readableRecords(corrupt));
      assertThat(Errors.forCode(bad.errorCode())).isEqualTo(Errors.CORRUPT_MESSAGE);
    }
    try (TestBroker restarted = TestBroker.start(dir)) {
      // the producer state is rebuilt from the log: the retry is still recognised, nothing is written twice
      ProduceResponseData.PartitionProduceResponse retry = produce(restarted.server.port(), batch(3, "d", "e"));
      assertThat(retry.baseOffset()).isEqualTo(3);
      assertThat(produce(restarted.server.port(), batch(5, "f")).baseOffset()).isEqualTo(5);
    }
  }

  @Test
  void aRequestWithOneCorruptBatchWritesNone() throws Exception {
    ByteBuffer good = batch(0, "a", "b").buffer();
    ByteBuffer corrupt = batch(2, "c").buffer().duplicate();
    corrupt.put(corrupt.limit() - 1, (byte) (corrupt.get(corrupt.limit() - 1) ^ 0x5a));
    ByteBuffer both = ByteBuffer.allocate(good.remaining() + corrupt.remaining())
        .put(good.duplicate()).put(corrupt.duplicate()).flip();
    try (TestBroker broker = TestBroker.start(dir)) {
      try (Admin admin = broker.admin()) {
        admin.createTopics(List.of(new NewTopic("idem", 1, (short) 1))).all().get();
      }
      int port = broker.server.port();

      ProduceResponseData.PartitionProduceResponse refused = produce(port, MemoryRecords.readableRecords(both), true);

      assertThat(Errors.forCode(refused.errorCode())).isEqualTo(Errors.CORRUPT_MESSAGE);
      assertThat(refused.errorMessage()).contains("idem-0", "crc mismatch");
      // neither the good first batch nor its sequence was kept: sent again it is new, at offset 0
      ProduceResponseData.PartitionProduceResponse first = produce(port, batch(0, "a", "b"));
      assertThat(Errors.forCode(first.errorCode())).isEqualTo(Errors.NONE);
      assertThat(first.baseOffset()).isZero();
      assertThat(produce(port, batch(2, "c")).baseOffset()).isEqualTo(2);
    }
  }
}
