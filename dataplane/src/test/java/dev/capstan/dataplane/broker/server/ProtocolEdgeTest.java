package dev.capstan.dataplane.broker.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.DeleteRecordsRequest;
import org.apache.kafka.common.requests.DescribeClusterRequest;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.ResponseHeader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Requests the official clients do not send on their own: old versions, unknown versions, unsupported APIs. */
class ProtocolEdgeTest {

  @TempDir
  static Path dir;
  static TestBroker broker;

  @BeforeAll
  static void start() throws Exception {
    broker = TestBroker.start(dir);
  }

  @AfterAll
  static void stop() throws Exception {
    if (broker != null) {
      broker.close();
    }
  }

  /** One connection speaking size-prefixed frames. */
  private static final class Raw implements AutoCloseable {
    final Socket socket;
    final DataOutputStream out;
    final DataInputStream in;
    int correlation;

    Raw() throws Exception {
      socket = new Socket("127.0.0.1", broker.server.port());
      socket.setSoTimeout(10_000);
      out = new DataOutputStream(socket.getOutputStream());
      in = new DataInputStream(socket.getInputStream());
    }

    AbstractResponse send(AbstractRequest request) throws Exception {
      RequestHeader header = new RequestHeader(request.apiKey(), request.version(), "raw", ++correlation);
      ByteBuffer frame = request.serializeWithHeader(header);
      out.writeInt(frame.remaining());
      out.write(frame.array(), frame.arrayOffset() + frame.position(), frame.remaining());
      out.flush();
      ByteBuffer response = read();
      return AbstractResponse.parseResponse(response, header);
    }

    ByteBuffer read() throws Exception {
      byte[] bytes = new byte[in.readInt()];
      in.readFully(bytes);
      return ByteBuffer.wrap(bytes);
    }

    @Override
    public void close() throws Exception {
      socket.close();
    }
  }

  @Test
  void anUnknownApiVersionsVersionGetsAV0ErrorListingTheSupportedRange() throws Exception {
    try (Raw raw = new Raw()) {
      // ApiVersions v99 with an empty body: the header alone decides the answer
      // a v3 request whose header claims v99 (both use the flexible header v2)
      RequestHeader header = new RequestHeader(ApiKeys.API_VERSIONS, (short) 3, "future-client", 7);
      ByteBuffer bytes = new ApiVersionsRequest(new ApiVersionsRequestData(), (short) 3).serializeWithHeader(header);
      bytes.putShort(bytes.position() + 2, (short) 99);
      raw.out.writeInt(bytes.remaining());
      raw.out.write(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
      raw.out.flush();
      ByteBuffer response = raw.read();
      assertThat(ResponseHeader.parse(response, (short) 0).correlationId()).isEqualTo(7);
      ApiVersionsResponse parsed = ApiVersionsResponse.parse(new ByteBufferAccessor(response), (short) 0);
      assertThat(Errors.forCode(parsed.data().errorCode())).isEqualTo(Errors.UNSUPPORTED_VERSION);
      assertThat(parsed.apiVersion(ApiKeys.API_VERSIONS.id).maxVersion()).isEqualTo((short) 4);
    }
  }

  @Test
  void everyApiVersionsVersionListsWhatIsImplemented() throws Exception {
    try (Raw raw = new Raw()) {
      for (short v = 0; v <= 4; v++) {
        ApiVersionsResponse response = (ApiVersionsResponse) raw.send(new ApiVersionsRequest.Builder().build(v));
        assertThat(response.data().errorCode()).isZero();
        assertThat(response.data().apiKeys()).extracting(k -> ApiKeys.forId(k.apiKey()))
            .containsAll(KafkaApis.SUPPORTED.keySet())
            .contains(ApiKeys.JOIN_GROUP, ApiKeys.SYNC_GROUP, ApiKeys.HEARTBEAT, ApiKeys.OFFSET_COMMIT)
            .doesNotContain(ApiKeys.DELETE_RECORDS, ApiKeys.CONSUMER_GROUP_HEARTBEAT);
      }
    }
  }

  @Test
  void anUnimplementedApiGetsItsOwnErrorResponseAndTheConnectionStaysUsable() throws Exception {
    try (Raw raw = new Raw()) {
      DeleteRecordsRequestData data = new DeleteRecordsRequestData().setTimeoutMs(1000);
      data.topics().add(new DeleteRecordsRequestData.DeleteRecordsTopic().setName("t").setPartitions(List.of(
          new DeleteRecordsRequestData.DeleteRecordsPartition().setPartitionIndex(0).setOffset(5))));
      AbstractResponse response = raw.send(new DeleteRecordsRequest.Builder(data).build((short) 2));
      assertThat(response.errorCounts()).containsKey(Errors.UNSUPPORTED_VERSION);
      AbstractResponse after = raw.send(new ApiVersionsRequest.Builder().build((short) 3));
      assertThat(((ApiVersionsResponse) after).data().errorCode()).isZero();
    }
  }

  @Test
  void oldAndNewVersionsOfTheSimpleApisSerialize() throws Exception {
    try (Raw raw = new Raw()) {
      for (short v = 0; v <= 13; v++) {
        org.apache.kafka.common.message.MetadataRequestData data = new org.apache.kafka.common.message.MetadataRequestData()
            .setAllowAutoTopicCreation(true);
        data.topics().add(new org.apache.kafka.common.message.MetadataRequestData.MetadataRequestTopic().setName("auto-" + v));
        MetadataResponse metadata = (MetadataResponse) raw.send(new MetadataRequest(data, v));
        assertThat(metadata.topicMetadata()).singleElement()
            .satisfies(t -> assertThat(t.error()).isEqualTo(Errors.NONE));
        assertThat(metadata.brokers()).hasSize(1);
      }
      for (short v = 1; v <= 11; v++) {
        ListOffsetsRequestData.ListOffsetsTopic topic = new ListOffsetsRequestData.ListOffsetsTopic().setName("auto-1")
            .setPartitions(List.of(new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(0)
                .setTimestamp(ListOffsetsRequest.LATEST_TIMESTAMP)));
        AbstractResponse r = raw.send(ListOffsetsRequest.Builder.forConsumer(false,
            org.apache.kafka.common.IsolationLevel.READ_UNCOMMITTED).setTargetTimes(List.of(topic)).build(v));
        assertThat(r.errorCounts()).containsOnlyKeys(Errors.NONE);
      }
      for (short v = 0; v <= 6; v++) {
        FindCoordinatorRequestData data = new FindCoordinatorRequestData().setKeyType((byte) 0);
        if (v >= 4) {
          data.setCoordinatorKeys(List.of("g"));
        } else {
          data.setKey("g");
        }
        AbstractResponse r = raw.send(new FindCoordinatorRequest.Builder(data).build(v));
        assertThat(r.errorCounts()).containsOnlyKeys(Errors.NONE);
        org.apache.kafka.common.requests.FindCoordinatorResponse found = (org.apache.kafka.common.requests.FindCoordinatorResponse) r;
        assertThat(v >= 4 ? found.coordinators().get(0).nodeId() : found.node().id()).isZero();
        AbstractResponse pid = raw.send(new InitProducerIdRequest.Builder(new InitProducerIdRequestData()
            .setTransactionalId(null).setTransactionTimeoutMs(60000)).build(v));
        assertThat(pid.errorCounts()).containsOnlyKeys(Errors.NONE);
      }
      for (short v = 0; v <= 2; v++) {
        AbstractResponse r = raw.send(new DescribeClusterRequest.Builder(new DescribeClusterRequestData()).build(v));
        assertThat(r.errorCounts()).containsOnlyKeys(Errors.NONE);
      }
    }
  }
}
