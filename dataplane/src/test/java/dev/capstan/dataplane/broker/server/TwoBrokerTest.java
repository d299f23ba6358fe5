package dev.capstan.dataplane.broker.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two brokers: leadership spread by the hash rule, topic changes forwarded, NOT_LEADER from the other one. */
class TwoBrokerTest {

  @TempDir
  Path dir;

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static AbstractResponse send(int port, AbstractRequest request) throws Exception {
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
  void partitionsAreSpreadAndTopicChangesReachBothBrokers() throws Exception {
    List<String> listeners = List.of("127.0.0.1:" + freePort(), "127.0.0.1:" + freePort());
    List<TestBroker> brokers = new ArrayList<>();
    try {
      for (int id = 0; id < 2; id++) {
        BrokerServer.Options base = BrokerServer.Options.local(dir.resolve("b" + id));
        int port = Integer.parseInt(listeners.get(id).split(":")[1]);
        brokers.add(TestBroker.start(new BrokerServer.Options(base.dataDir(), base.bindHost(), port, id, listeners,
            "two", base.retentionMs(), base.retentionBytes(), base.defaultPartitions(), base.autoCreateTopics(),
            base.syncOnAcksAll(), base.maxRequestBytes(), base.retentionCheckMs(), base.flushIntervalMs(),
            base.requestThreads(), base.clock(), base.groupConfig())));
      }
      ClusterLayout layout = new ClusterLayout(0, listeners.stream().map(ClusterLayout.HostPort::parse).toList(), "two");
      String bootstrap = String.join(",", listeners);
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
        admin.createTopics(List.of(new NewTopic("spread", 4, (short) 1))).all().get();
        admin.createPartitions(Map.of("spread", NewPartitions.increaseTo(6))).all().get();
        TopicDescription d = admin.describeTopics(List.of("spread")).allTopicNames().get().get("spread");
        assertThat(d.partitions()).hasSize(6);
        d.partitions().forEach(p -> assertThat(p.leader().id()).isEqualTo(layout.leaderOf("spread", p.partition())));
        assertThat(d.partitions()).extracting(p -> p.leader().id()).containsOnly(0, 1);
      }
      // each broker answers Metadata for the topic itself, with the same leaders
      for (TestBroker b : brokers) {
        MetadataRequestData data = new MetadataRequestData();
        data.topics().add(new MetadataRequestData.MetadataRequestTopic().setName("spread"));
        MetadataResponse md = (MetadataResponse) send(b.server.port(), new MetadataRequest(data, (short) 12));
        assertThat(md.topicMetadata()).singleElement().satisfies(t -> {
          assertThat(t.error()).isEqualTo(Errors.NONE);
          assertThat(t.partitionMetadata()).hasSize(6);
        });
      }

      // producer and consumer follow the leaders
      Map<Integer, Long> lastOffset = new HashMap<>();
      try (KafkaProducer<String, String> producer = brokers.get(0).producer(Map.of("bootstrap.servers", bootstrap))) {
        for (int i = 0; i < 60; i++) {
          RecordMetadata md = producer.send(new ProducerRecord<>("spread", i % 6, null, "v" + i)).get();
          lastOffset.put(md.partition(), md.offset());
        }
      }
      assertThat(lastOffset).hasSize(6).allSatisfy((p, o) -> assertThat(o).isEqualTo(9L));
      try (KafkaConsumer<String, String> consumer = brokers.get(1).consumer(Map.of("bootstrap.servers", bootstrap))) {
        List<TopicPartition> all = new ArrayList<>();
        for (int p = 0; p < 6; p++) {
          all.add(new TopicPartition("spread", p));
        }
        consumer.assign(all);
        consumer.seekToBeginning(all);
        int read = 0;
        long deadline = System.currentTimeMillis() + 20_000;
        while (read < 60 && System.currentTimeMillis() < deadline) {
          read += consumer.poll(Duration.ofMillis(200)).count();
        }
        assertThat(read).isEqualTo(60);
      }

      // a Produce to the broker that does not lead the partition is refused
      int notLed = 0;
      while (layout.leaderOf("spread", notLed) == 0) {
        notLed++;
      }
      MemoryRecords records = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("x".getBytes()));
      ProduceRequestData produce = new ProduceRequestData().setAcks((short) 1).setTimeoutMs(5000);
      ProduceRequestData.TopicProduceData topic = new ProduceRequestData.TopicProduceData().setName("spread");
      topic.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(notLed).setRecords(records));
      produce.topicData().add(topic);
      ProduceResponse refused = (ProduceResponse) send(brokers.get(0).server.port(),
          ProduceRequest.builder(produce).build((short) 9));
      assertThat(refused.errorCounts()).containsOnlyKeys(Errors.NOT_LEADER_OR_FOLLOWER);
    } finally {
      for (TestBroker b : brokers) {
        b.close();
      }
    }
  }
}
