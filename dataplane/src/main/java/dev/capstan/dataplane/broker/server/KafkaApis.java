package dev.capstan.dataplane.broker.server;

import dev.capstan.dataplane.broker.log.LogSlice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.CreatePartitionsRequest;
import org.apache.kafka.common.requests.CreatePartitionsResponse;
import org.apache.kafka.common.requests.CreateTopicsRequest;
import org.apache.kafka.common.requests.CreateTopicsResponse;
import org.apache.kafka.common.requests.DeleteTopicsRequest;
import org.apache.kafka.common.requests.DeleteTopicsResponse;
import org.apache.kafka.common.requests.DescribeClusterResponse;
import org.apache.kafka.common.requests.DescribeConfigsRequest;
import org.apache.kafka.common.requests.DescribeConfigsResponse;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.FindCoordinatorResponse;
import org.apache.kafka.common.requests.IncrementalAlterConfigsRequest;
import org.apache.kafka.common.requests.IncrementalAlterConfigsResponse;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.ListOffsetsResponse;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.requests.RequestContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers Kafka requests: one method per API key, each turning the request's message classes
 * into the response's. A null response means "send nothing" (Produce with acks=0). Long-polling
 * Fetches complete later, woken by appends to their partitions or by their max wait.
 */
final class KafkaApis {

  private static final Logger LOG = LoggerFactory.getLogger(KafkaApis.class);

  /** The API keys and version ranges this broker implements and tests (inclusive). */
  static final Map<ApiKeys, short[]> SUPPORTED = supported();

  private static final Set<ApiKeys> GROUP_KEYS = Set.of(ApiKeys.JOIN_GROUP, ApiKeys.SYNC_GROUP, ApiKeys.HEARTBEAT,
      ApiKeys.LEAVE_GROUP, ApiKeys.OFFSET_COMMIT, ApiKeys.OFFSET_FETCH, ApiKeys.DESCRIBE_GROUPS, ApiKeys.LIST_GROUPS,
      ApiKeys.DELETE_GROUPS, ApiKeys.OFFSET_DELETE);

  /** Broker settings the APIs need. */
  record Settings(boolean autoCreateTopics, int defaultPartitions, boolean syncOnAcksAll) {}

  private final ClusterLayout layout;
  private final TopicRegistry topics;
  private final ProducerIdAllocator producerIds;
  private final GroupRequests groups;
  private final Settings settings;
  private final Executor executor;
  private final ScheduledExecutorService timer;
  private final BrokerMetrics metrics;
  private final Map<ApiKeys, short[]> advertised;
  private final PeerForwarder peers;
  private final GroupCommit groupCommit;

  KafkaApis(ClusterLayout layout, TopicRegistry topics, ProducerIdAllocator producerIds, GroupRequests groups,
            Settings settings, Executor executor, ScheduledExecutorService timer, BrokerMetrics metrics,
            GroupCommit groupCommit) {
    this.groupCommit = groupCommit;
    this.layout = layout;
    this.topics = topics;
    this.producerIds = producerIds;
    this.groups = groups;
    this.settings = settings;
    this.executor = executor;
    this.timer = timer;
    this.metrics = metrics;
    Map<ApiKeys, short[]> all = new EnumMap<>(ApiKeys.class);
    all.putAll(SUPPORTED);
    groups.apiKeys().forEach((key, range) -> {
      if (GROUP_KEYS.contains(key)) {
        all.put(key, range);
      }
    });
    this.advertised = Map.copyOf(all);
    this.peers = new PeerForwarder(layout);
  }

  private static Map<ApiKeys, short[]> supported() {
    Map<ApiKeys, short[]> m = new EnumMap<>(ApiKeys.class);
    m.put(ApiKeys.API_VERSIONS, range(0, 4));
    m.put(ApiKeys.METADATA, range(0, 13));
    m.put(ApiKeys.PRODUCE, range(3, 13));
    m.put(ApiKeys.FETCH, range(4, 18));
    m.put(ApiKeys.LIST_OFFSETS, range(1, 11));
    m.put(ApiKeys.INIT_PRODUCER_ID, range(0, 6));
    m.put(ApiKeys.FIND_COORDINATOR, range(0, 6));
    m.put(ApiKeys.CREATE_TOPICS, range(2, 7));
    m.put(ApiKeys.DELETE_TOPICS, range(1, 6));
    m.put(ApiKeys.CREATE_PARTITIONS, range(0, 3));
    m.put(ApiKeys.DESCRIBE_CONFIGS, range(1, 4));
    m.put(ApiKeys.INCREMENTAL_ALTER_CONFIGS, range(0, 1));
    m.put(ApiKeys.DESCRIBE_CLUSTER, range(0, 2));
    return m;
  }

  private static short[] range(int min, int max) {
    return new short[] {(short) min, (short) max};
  }

  /** The keys and ranges ApiVersions reports. */
  Map<ApiKeys, short[]> advertised() {
    return advertised;
  }

  CompletableFuture<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
    ApiKeys key = context.header.apiKey();
    short version = context.apiVersion();
    short[] range = advertised.get(key);
    if (key != ApiKeys.API_VERSIONS && (range == null || version < range[0] || version > range[1])) {
      return done(request.getErrorResponse(Errors.UNSUPPORTED_VERSION.exception(
          key + " v" + version + " is not supported by this broker")));
    }
    metrics.request(key);
    try {
      return switch (key) {
        case API_VERSIONS -> done(apiVersions((ApiVersionsRequest) request));
        case METADATA -> done(metadata((MetadataRequest) request, version));
        case PRODUCE -> produce((ProduceRequest) request, version);
        case FETCH -> fetch((FetchRequest) request, version);
        case LIST_OFFSETS -> done(listOffsets((ListOffsetsRequest) request, version));
        case INIT_PRODUCER_ID -> done(initProducerId((InitProducerIdRequest) request));
        case FIND_COORDINATOR -> done(findCoordinator((FindCoordinatorRequest) request, version));
        case CREATE_TOPICS -> done(createTopics(context, (CreateTopicsRequest) request));
        case DELETE_TOPICS -> done(deleteTopics(context, (DeleteTopicsRequest) request));
        case CREATE_PARTITIONS -> done(forwarded(context, request, createPartitions((CreatePartitionsRequest) request)));
        case DESCRIBE_CONFIGS -> done(describeConfigs((DescribeConfigsRequest) request));
        case INCREMENTAL_ALTER_CONFIGS -> done(forwarded(context, request, alterConfigs((IncrementalAlterConfigsRequest) request)));
        case DESCRIBE_CLUSTER -> done(describeCluster());
        default -> GROUP_KEYS.contains(key)
            ? groups.handle(context, request)
            : done(request.getErrorResponse(Errors.UNSUPPORTED_VERSION.exception()));
      };
    } catch (ApiException e) {
      return done(request.getErrorResponse(e));
    } catch (IOException | RuntimeException e) {
      LOG.warn("{} from {} failed: {}", key, context.clientId(), e.toString());
      return done(request.getErrorResponse(e));
    }
  }

  /**
   * Passes a topic change this broker applied on to its peers (see {@link PeerForwarder}), unless
   * it came from a peer or only validated.
   */
  private AbstractResponse forwarded(RequestContext context, AbstractRequest request, AbstractResponse response) {
    return forwarded(context, request, response, request);
  }

  /** As {@link #forwarded(RequestContext, AbstractRequest, AbstractResponse)}, passing {@code toPeers} on. */
  private AbstractResponse forwarded(RequestContext context, AbstractRequest request, AbstractResponse response,
                                     AbstractRequest toPeers) {
    boolean validateOnly = request instanceof CreateTopicsRequest create ? create.data().validateOnly()
        : request instanceof CreatePartitionsRequest grow ? grow.data().validateOnly()
        : request instanceof IncrementalAlterConfigsRequest alter && alter.data().validateOnly();
    if (peers.hasPeers() && !validateOnly && !PeerForwarder.CLIENT_ID.equals(context.clientId())
        && response.errorCounts().containsKey(Errors.NONE)) {
      peers.forward(toPeers);
    }
    return response;
  }

  private static CompletableFuture<AbstractResponse> done(AbstractResponse response) {
    return CompletableFuture.completedFuture(response);
  }

  // ---- ApiVersions, Metadata, DescribeCluster, FindCoordinator ----

  private AbstractResponse apiVersions(ApiVersionsRequest request) {
    if (request.hasUnsupportedRequestVersion()) {
      return request.getErrorResponse(0, Errors.UNSUPPORTED_VERSION.exception());
    }
    if (!request.isValid()) {
      return request.getErrorResponse(0, Errors.INVALID_REQUEST.exception());
    }
    ApiVersionsResponseData.ApiVersionCollection keys = new ApiVersionsResponseData.ApiVersionCollection();
    advertised.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> keys.add(new ApiVersionsResponseData.ApiVersion()
            .setApiKey(e.getKey().id).setMinVersion(e.getValue()[0]).setMaxVersion(e.getValue()[1])));
    return new ApiVersionsResponse(new ApiVersionsResponseData()
        .setErrorCode(Errors.NONE.code())
        .setApiKeys(keys)
        .setFinalizedFeaturesEpoch(ApiVersionsResponse.UNKNOWN_FINALIZED_FEATURES_EPOCH));
  }

  private AbstractResponse metadata(MetadataRequest request, short version) throws IOException {
    MetadataResponseData data = new MetadataResponseData()
        .setClusterId(layout.clusterId())
        .setControllerId(0);
    for (int id = 0; id < layout.size(); id++) {
      ClusterLayout.HostPort broker = layout.brokers().get(id);
      data.brokers().add(new MetadataResponseData.MetadataResponseBroker()
          .setNodeId(id).setHost(broker.host()).setPort(broker.port()));
    }
    if (request.isAllTopics()) {
      for (TopicRegistry.TopicMeta meta : topics.all()) {
        data.topics().add(topicMetadata(meta));
      }
    } else {
      boolean autoCreate = settings.autoCreateTopics() && request.data().allowAutoTopicCreation();
      for (MetadataRequestData.MetadataRequestTopic wanted : request.data().topics()) {
        data.topics().add(topicMetadata(wanted, autoCreate));
      }
    }
    return new MetadataResponse(data, version);
  }

  private MetadataResponseData.MetadataResponseTopic topicMetadata(MetadataRequestData.MetadataRequestTopic wanted,
                                                                   boolean autoCreate) throws IOException {
    if (wanted.name() == null) {
      Uuid id = wanted.topicId();
      return topics.topic(id).map(this::topicMetadata).orElseGet(() -> new MetadataResponseData.MetadataResponseTopic()
          .setTopicId(id).setErrorCode(Errors.UNKNOWN_TOPIC_ID.code()));
    }
    String name = wanted.name();
    Optional<TopicRegistry.TopicMeta> meta = topics.topic(name);
    if (meta.isEmpty() && autoCreate) {
      try {
        Topic.validate(name);
        meta = Optional.of(topics.create(name, settings.defaultPartitions(), (short) 1, Map.of(), null));
        if (peers.hasPeers()) {
          CreateTopicsRequestData create = new CreateTopicsRequestData().setTimeoutMs(5_000);
          create.topics().add(PeerForwarder.withTopicId(new CreateTopicsRequestData.CreatableTopic().setName(name)
              .setNumPartitions(settings.defaultPartitions()).setReplicationFactor((short) 1), meta.get().uuid()));
          peers.forward(new CreateTopicsRequest.Builder(create).build());
        }
      } catch (InvalidTopicException e) {
        return new MetadataResponseData.MetadataResponseTopic().setName(name)
            .setErrorCode(Errors.INVALID_TOPIC_EXCEPTION.code());
      } catch (ApiException e) {
        meta = topics.topic(name); // created concurrently
      }
    }
    return meta.map(this::topicMetadata).orElseGet(() -> new MetadataResponseData.MetadataResponseTopic()
        .setName(name).setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code()));
  }

  private MetadataResponseData.MetadataResponseTopic topicMetadata(TopicRegistry.TopicMeta meta) {
    MetadataResponseData.MetadataResponseTopic topic = new MetadataResponseData.MetadataResponseTopic()
        .setName(meta.name()).setTopicId(meta.uuid()).setIsInternal(false);
    for (int p = 0; p < meta.partitions(); p++) {
      int leader = layout.leaderOf(meta.name(), p);
      topic.partitions().add(new MetadataResponseData.MetadataResponsePartition()
          .setPartitionIndex(p).setLeaderId(leader).setLeaderEpoch(0)
          .setReplicaNodes(List.of(leader)).setIsrNodes(List.of(leader)).setOfflineReplicas(List.of()));
    }
    return topic;
  }

  private AbstractResponse describeCluster() {
    DescribeClusterResponseData data = new DescribeClusterResponseData()
        .setClusterId(layout.clusterId()).setControllerId(0).setEndpointType((byte) 1);
    for (int id = 0; id < layout.size(); id++) {
      ClusterLayout.HostPort broker = layout.brokers().get(id);
      data.brokers().add(new DescribeClusterResponseData.DescribeClusterBroker()
          .setBrokerId(id).setHost(broker.host()).setPort(broker.port()));
    }
    return new DescribeClusterResponse(data);
  }

  private AbstractResponse findCoordinator(FindCoordinatorRequest request, short version) {
    FindCoordinatorRequestData in = request.data();
    List<String> keys = version >= 4 ? in.coordinatorKeys() : List.of(in.key());
    FindCoordinatorResponseData out = new FindCoordinatorResponseData();
    for (String key : keys) {
      out.coordinators().add(coordinator(in.keyType(), key));
    }
    if (version < 4) {
      FindCoordinatorResponseData.Coordinator only = out.coordinators().get(0);
      out = new FindCoordinatorResponseData().setErrorCode(only.errorCode()).setErrorMessage(only.errorMessage())
          .setNodeId(only.nodeId()).setHost(only.host()).setPort(only.port());
    }
    return new FindCoordinatorResponse(out);
  }

  private FindCoordinatorResponseData.Coordinator coordinator(byte keyType, String key) {
    FindCoordinatorResponseData.Coordinator c = new FindCoordinatorResponseData.Coordinator()
        .setKey(key).setNodeId(-1).setHost("").setPort(-1);
    if (keyType != FindCoordinatorRequest.CoordinatorType.GROUP.id()) {
      return c.setErrorCode(Errors.INVALID_REQUEST.code())
          .setErrorMessage("only consumer groups have a coordinator here; transactions and share groups are not supported yet");
    }
    if (groups == GroupRequests.NONE) {
      return c.setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code())
          .setErrorMessage("consumer groups are not available on this broker yet");
    }
    int node = dev.capstan.dataplane.broker.group.GroupCoordinator.coordinatorFor(key, layout.size());
    ClusterLayout.HostPort address = layout.brokers().get(node);
    return c.setNodeId(node).setHost(address.host()).setPort(address.port()).setErrorCode(Errors.NONE.code());
  }

  // ---- Produce, InitProducerId ----

  private CompletableFuture<AbstractResponse> produce(ProduceRequest request, short version) throws IOException {
    short acks = request.acks();
    if (acks != 0 && acks != 1 && acks != -1) {
      return done(request.getErrorResponse(Errors.INVALID_REQUIRED_ACKS.exception()));
    }
    boolean sync = acks == -1 && settings.syncOnAcksAll();
    List<CompletableFuture<Void>> durable = new ArrayList<>();
    ProduceResponseData out = new ProduceResponseData();
    for (ProduceRequestData.TopicProduceData topic : request.data().topicData()) {
      Optional<TopicRegistry.TopicMeta> meta = version >= 13 ? topics.topic(topic.topicId()) : topics.topic(topic.name());
      ProduceResponseData.TopicProduceResponse topicOut = new ProduceResponseData.TopicProduceResponse()
          .setName(topic.name()).setTopicId(topic.topicId());
      for (ProduceRequestData.PartitionProduceData part : topic.partitionData()) {
        ProduceResponseData.PartitionProduceResponse partOut = new ProduceResponseData.PartitionProduceResponse()
            .setIndex(part.index()).setBaseOffset(-1).setLogAppendTimeMs(-1).setLogStartOffset(-1);
        Errors lookup = version >= 13 ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION;
        Partition partition = meta.isEmpty() ? null : led(meta.get(), part.index()).orElse(null);
        if (meta.isEmpty()) {
          partOut.setErrorCode(lookup.code());
        } else if (partition == null) {
          partOut.setErrorCode(missing(meta.get(), part.index()).code());
        } else {
          Partition.AppendOutcome outcome = partition.append((MemoryRecords) part.records());
          if (sync && outcome.error() == Errors.NONE) {
            durable.add(groupCommit.sync(partition));
          }
          partOut.setErrorCode(outcome.error().code()).setErrorMessage(outcome.message())
              .setBaseOffset(outcome.baseOffset()).setLogStartOffset(partition.logStartOffset());
          if (outcome.error() == Errors.NONE) {
            metrics.produced(outcome.records(), outcome.bytes());
          } else {
            LOG.debug("Produce to {} refused: {}", partition.id(), outcome.message());
          }
        }
        topicOut.partitionResponses().add(partOut);
      }
      out.responses().add(topicOut);
    }
    if (acks == 0) {
      return done(null);
    }
    ProduceResponse response = new ProduceResponse(out);
    if (durable.isEmpty()) {
      return done(response);
    }
    // acks=all: answer once the appended batches are fsynced (the request fails if the fsync does)
    long appendedNanos = System.nanoTime();
    return CompletableFuture.allOf(durable.toArray(CompletableFuture[]::new)).thenApply(v -> {
      metrics.durableAfter(System.nanoTime() - appendedNanos);
      return response;
    });
  }

  private Optional<Partition> led(TopicRegistry.TopicMeta meta, int partition) {
    return Optional.ofNullable(topics.partition(new TopicPartition(meta.name(), partition)));
  }

  /** Why a partition of a known topic is not here: another broker leads it, or it does not exist. */
  private Errors missing(TopicRegistry.TopicMeta meta, int partition) {
    return partition >= 0 && partition < meta.partitions() && !layout.leads(meta.name(), partition)
        ? Errors.NOT_LEADER_OR_FOLLOWER
        : Errors.UNKNOWN_TOPIC_OR_PARTITION;
  }

  private AbstractResponse initProducerId(InitProducerIdRequest request) throws IOException {
    InitProducerIdRequestData in = request.data();
    InitProducerIdResponseData out = new InitProducerIdResponseData().setProducerId(-1).setProducerEpoch((short) -1);
    if (in.transactionalId() != null) {
      return new InitProducerIdResponse(out.setErrorCode(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code()));
    }
    if (in.producerId() >= 0 && in.producerEpoch() >= 0 && in.producerEpoch() < Short.MAX_VALUE - 1) {
      // KIP-360: an idempotent producer bumps its epoch to reset its sequences after an error.
      out.setProducerId(in.producerId()).setProducerEpoch((short) (in.producerEpoch() + 1));
    } else {
      out.setProducerId(producerIds.nextId()).setProducerEpoch((short) 0);
    }
    return new InitProducerIdResponse(out.setErrorCode(Errors.NONE.code()));
  }

  // ---- Fetch ----

  /** One partition a fetch asks for, resolved. */
  private record FetchItem(int topicIndex, String name, Partition partition, Errors error, int index,
                           long offset, int maxBytes) {}

  private record FetchPlan(FetchRequestData request, short version, List<FetchRequestData.FetchTopic> topics,
                           List<FetchItem> items) {}

  /** A fetch's answer as read now; its records are open file slices until sent or {@link #discard}ed. */
  private record FetchRead(FetchResponse response, long bytes, boolean hasError) {
    void discard() {
      SliceRecords.closeAll(response.data());
    }
  }

  private CompletableFuture<AbstractResponse> fetch(FetchRequest request, short version) throws IOException {
    FetchRequestData in = request.data();
    List<FetchItem> items = new ArrayList<>();
    List<FetchRequestData.FetchTopic> requested = in.topics();
    for (int t = 0; t < requested.size(); t++) {
      FetchRequestData.FetchTopic topic = requested.get(t);
      Optional<TopicRegistry.TopicMeta> meta = version >= 13 ? topics.topic(topic.topicId()) : topics.topic(topic.topic());
      for (FetchRequestData.FetchPartition part : topic.partitions()) {
        Partition partition = meta.flatMap(m -> led(m, part.partition())).orElse(null);
        Errors error = meta.isEmpty()
            ? (version >= 13 ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION)
            : partition == null ? missing(meta.get(), part.partition()) : Errors.NONE;
        items.add(new FetchItem(t, meta.map(TopicRegistry.TopicMeta::name).orElse(topic.topic()), partition, error,
            part.partition(), part.fetchOffset(), part.partitionMaxBytes()));
      }
    }
    FetchPlan plan = new FetchPlan(in, version, requested, items);
    FetchRead read = read(plan);
    if (read.hasError() || read.bytes() >= in.minBytes() || in.maxWaitMs() <= 0 || items.isEmpty()) {
      metrics.fetched(read.bytes());
      return done(read.response());
    }
    read.discard();
    return new DelayedFetch(plan).start();
  }

  private FetchRead read(FetchPlan plan) throws IOException {
    FetchResponseData data = new FetchResponseData().setErrorCode(Errors.NONE.code()).setSessionId(0);
    Map<Integer, FetchResponseData.FetchableTopicResponse> byTopic = new LinkedHashMap<>();
    long total = 0;
    boolean hasError = false;
    int budget = plan.request().maxBytes();
    try {
      for (FetchItem item : plan.items()) {
        FetchRequestData.FetchTopic topic = plan.topics().get(item.topicIndex());
        FetchResponseData.FetchableTopicResponse topicOut = byTopic.computeIfAbsent(item.topicIndex(),
            i -> new FetchResponseData.FetchableTopicResponse().setTopic(item.name()).setTopicId(topic.topicId()));
        FetchResponseData.PartitionData out = new FetchResponseData.PartitionData().setPartitionIndex(item.index());
        if (item.error() != Errors.NONE) {
          hasError = true;
          topicOut.partitions().add(out.setErrorCode(item.error().code()).setHighWatermark(-1)
              .setLastStableOffset(-1).setLogStartOffset(-1).setRecords(MemoryRecords.EMPTY));
          continue;
        }
        Partition partition = item.partition();
        // The high watermark is the log end, synced or not, as on a single Kafka node. Capstan's
        // promise is about acknowledgements: an acks=all answer leaves only after the fdatasync.
        // Holding reads back to the synced end would not strengthen it (a consumer that sees a
        // record whose sync then fails or is cut by a crash sees what Kafka's would), would put
        // a sync on every consumer's path, and would hide acks=0/1 records, which are synced
        // only when a flush interval or an acks=all append comes along.
        long end = partition.logEndOffset();
        long start = partition.logStartOffset();
        out.setHighWatermark(end).setLastStableOffset(end).setLogStartOffset(start);
        if (item.offset() < start || item.offset() > end) {
          hasError = true;
          topicOut.partitions().add(out.setErrorCode(Errors.OFFSET_OUT_OF_RANGE.code()).setRecords(MemoryRecords.EMPTY));
          continue;
        }
        BaseRecords records = MemoryRecords.EMPTY;
        int size = 0;
        int limit = Math.min(item.maxBytes(), budget);
        if (limit > 0 && item.offset() < end) {
          Optional<LogSlice> slice;
          try {
            slice = partition.slice(item.offset(), limit);
          } catch (dev.capstan.dataplane.broker.log.OffsetOutOfRangeException e) {
            hasError = true;
            topicOut.partitions().add(out.setErrorCode(Errors.OFFSET_OUT_OF_RANGE.code()).setRecords(MemoryRecords.EMPTY));
            continue;
          }
          if (slice.isPresent()) {
            // The log returns at least one batch; only the first partition with data may exceed the budget (KIP-74).
            if (slice.get().sizeInBytes() > limit && total > 0) {
              slice.get().close();
            } else {
              records = new SliceRecords(slice.get());
              size = slice.get().sizeInBytes();
            }
          }
        }
        total += size;
        budget -= size;
        topicOut.partitions().add(out.setErrorCode(Errors.NONE.code()).setRecords(records));
      }
    } catch (IOException | RuntimeException e) {
      // slices already opened for earlier partitions would otherwise hold their files open
      data.responses().addAll(byTopic.values());
      SliceRecords.closeAll(data);
      throw e;
    }
    data.responses().addAll(byTopic.values());
    return new FetchRead(FetchResponse.of(data), total, hasError);
  }

  /**
   * A fetch that found fewer than minBytes: it waits on its partitions' appends and answers as
   * soon as enough arrived, or with whatever there is at maxWait.
   */
  private final class DelayedFetch implements Runnable {
    private final FetchPlan plan;
    private final CompletableFuture<AbstractResponse> future = new CompletableFuture<>();
    private final AtomicBoolean completed = new AtomicBoolean();
    private final AtomicBoolean checkQueued = new AtomicBoolean();
    private volatile ScheduledFuture<?> timeout;

    DelayedFetch(FetchPlan plan) {
      this.plan = plan;
    }

    CompletableFuture<AbstractResponse> start() {
      for (FetchItem item : plan.items()) {
        item.partition().addAppendWaiter(this);
      }
      timeout = timer.schedule(() -> executor.execute(() -> check(true)), plan.request().maxWaitMs(),
          TimeUnit.MILLISECONDS);
      run(); // an append between the first read and the registration must not be missed
      return future;
    }

    /** Called on every append to a watched partition, under its lock: only queue a check. */
    @Override
    public void run() {
      if (!completed.get() && checkQueued.compareAndSet(false, true)) {
        executor.execute(() -> {
          checkQueued.set(false);
          check(false);
        });
      }
    }

    private void check(boolean expired) {
      if (completed.get()) {
        return;
      }
      FetchRead read;
      try {
        read = read(plan);
      } catch (IOException | RuntimeException e) {
        finish(null, e);
        return;
      }
      if (expired || read.hasError() || read.bytes() >= plan.request().minBytes()) {
        metrics.fetched(read.bytes());
        if (!finish(read.response(), null)) {
          read.discard();
        }
      } else {
        read.discard();
      }
    }

    /** Completes the fetch unless it already was; false when this answer was too late. */
    private boolean finish(AbstractResponse response, Throwable failure) {
      if (!completed.compareAndSet(false, true)) {
        return false;
      }
      for (FetchItem item : plan.items()) {
        item.partition().removeAppendWaiter(this);
      }
      ScheduledFuture<?> t = timeout;
      if (t != null) {
        t.cancel(false);
      }
      if (failure != null) {
        future.completeExceptionally(failure);
      } else {
        future.complete(response);
      }
      return true;
    }
  }

  // ---- ListOffsets ----

  private AbstractResponse listOffsets(ListOffsetsRequest request, short version) throws IOException {
    // leader_epoch exists from v4 on, and the generated writer refuses a non-default value below that
    int leaderEpoch = version >= 4 ? 0 : -1;
    ListOffsetsResponseData out = new ListOffsetsResponseData();
    for (ListOffsetsRequestData.ListOffsetsTopic topic : request.data().topics()) {
      Optional<TopicRegistry.TopicMeta> meta = topics.topic(topic.name());
      ListOffsetsResponseData.ListOffsetsTopicResponse topicOut =
          new ListOffsetsResponseData.ListOffsetsTopicResponse().setName(topic.name());
      for (ListOffsetsRequestData.ListOffsetsPartition part : topic.partitions()) {
        ListOffsetsResponseData.ListOffsetsPartitionResponse partOut =
            new ListOffsetsResponseData.ListOffsetsPartitionResponse().setPartitionIndex(part.partitionIndex())
                .setTimestamp(-1).setOffset(-1).setLeaderEpoch(leaderEpoch);
        Partition partition = meta.flatMap(m -> led(m, part.partitionIndex())).orElse(null);
        if (partition == null) {
          partOut.setErrorCode((meta.isEmpty() ? Errors.UNKNOWN_TOPIC_OR_PARTITION
              : missing(meta.get(), part.partitionIndex())).code());
        } else {
          Optional<Partition.OffsetAndTimestamp> found = offsetFor(partition, part.timestamp());
          found.ifPresent(f -> partOut.setOffset(f.offset()).setTimestamp(f.timestamp()));
          partOut.setErrorCode(Errors.NONE.code());
        }
        topicOut.partitions().add(partOut);
      }
      out.topics().add(topicOut);
    }
    return new ListOffsetsResponse(out);
  }

  private static Optional<Partition.OffsetAndTimestamp> offsetFor(Partition partition, long timestamp) throws IOException {
    if (timestamp == ListOffsetsRequest.LATEST_TIMESTAMP) {
      return Optional.of(new Partition.OffsetAndTimestamp(partition.logEndOffset(), -1));
    }
    if (timestamp == ListOffsetsRequest.EARLIEST_TIMESTAMP || timestamp == ListOffsetsRequest.EARLIEST_LOCAL_TIMESTAMP) {
      return Optional.of(new Partition.OffsetAndTimestamp(partition.logStartOffset(), -1));
    }
    if (timestamp == ListOffsetsRequest.MAX_TIMESTAMP) {
      return partition.maxTimestamp();
    }
    if (timestamp >= 0) {
      return partition.offsetForTimestamp(timestamp);
    }
    return Optional.empty(); // tiered-storage specs: there is no remote tier, so no offset
  }

  // ---- Topic admin ----

  /**
   * Creates the topics and forwards those created to the peers, each with the id it got here
   * ({@link PeerForwarder#TOPIC_ID_CONFIG}).
   */
  private AbstractResponse createTopics(RequestContext context, CreateTopicsRequest request) throws IOException {
    boolean fromPeer = PeerForwarder.CLIENT_ID.equals(context.clientId());
    CreateTopicsRequestData in = request.data();
    CreateTopicsRequestData toPeers = new CreateTopicsRequestData().setTimeoutMs(in.timeoutMs());
    Map<String, Integer> counts = new HashMap<>();
    in.topics().forEach(t -> counts.merge(t.name(), 1, Integer::sum));
    CreateTopicsResponseData out = new CreateTopicsResponseData();
    for (CreateTopicsRequestData.CreatableTopic topic : in.topics()) {
      CreateTopicsResponseData.CreatableTopicResult result = new CreateTopicsResponseData.CreatableTopicResult()
          .setName(topic.name()).setNumPartitions(-1).setReplicationFactor((short) -1);
      try {
        if (counts.get(topic.name()) > 1) {
          throw new InvalidRequestException("Create topics request contains multiple entries for topic " + topic.name());
        }
        if (!topic.assignments().isEmpty()) {
          throw new InvalidRequestException("manual replica assignment is not supported; give numPartitions and replicationFactor");
        }
        int partitions = topic.numPartitions() == -1 ? settings.defaultPartitions() : topic.numPartitions();
        short replicationFactor = topic.replicationFactor() == -1 ? 1 : topic.replicationFactor();
        Map<String, String> overrides = new LinkedHashMap<>();
        topic.configs().forEach(c -> overrides.put(c.name(), c.value()));
        // Only a peer names the id; from a client, the key is an unknown config like any other.
        String peerId = fromPeer ? overrides.remove(PeerForwarder.TOPIC_ID_CONFIG) : null;
        if (in.validateOnly()) {
          topics.validateCreate(topic.name(), partitions, replicationFactor, overrides);
        } else {
          Uuid id = topics.create(topic.name(), partitions, replicationFactor, overrides,
              peerId == null ? null : Uuid.fromString(peerId)).uuid();
          result.setTopicId(id);
          toPeers.topics().add(PeerForwarder.withTopicId(topic.duplicate(), id));
        }
        result.setNumPartitions(partitions)
            .setReplicationFactor(replicationFactor);
        topicConfigs(overrides, Set.of()).forEach(c -> result.configs().add(new CreateTopicsResponseData.CreatableTopicConfigs()
            .setName(c.name()).setValue(c.value()).setReadOnly(false).setConfigSource(c.configSource())
            .setIsSensitive(false)));
      } catch (ApiException e) {
        ApiError error = ApiError.fromThrowable(e);
        result.setErrorCode(error.error().code()).setErrorMessage(error.message());
      }
      out.topics().add(result);
    }
    return forwarded(context, request, new CreateTopicsResponse(out),
        new CreateTopicsRequest.Builder(toPeers).build(request.version()));
  }

  /**
   * Deletes the topics and forwards the deletions to the peers by topic id (whatever version the
   * client used), so that a peer holding another topic of the name, one it missed the deletion
   * and recreation of, keeps it.
   */
  private AbstractResponse deleteTopics(RequestContext context, DeleteTopicsRequest request) throws IOException {
    DeleteTopicsRequestData in = request.data();
    DeleteTopicsRequestData toPeers = new DeleteTopicsRequestData().setTimeoutMs(in.timeoutMs());
    List<DeleteTopicsRequestData.DeleteTopicState> wanted = new ArrayList<>(in.topics());
    in.topicNames().forEach(name -> wanted.add(new DeleteTopicsRequestData.DeleteTopicState().setName(name)));
    DeleteTopicsResponseData out = new DeleteTopicsResponseData();
    for (DeleteTopicsRequestData.DeleteTopicState topic : wanted) {
      DeleteTopicsResponseData.DeletableTopicResult result = new DeleteTopicsResponseData.DeletableTopicResult()
          .setName(topic.name()).setTopicId(topic.topicId());
      String name = topic.name();
      if (name == null && topic.topicId() != null && !Uuid.ZERO_UUID.equals(topic.topicId())) {
        name = topics.topic(topic.topicId()).map(TopicRegistry.TopicMeta::name).orElse(null);
        if (name == null) {
          out.responses().add(result.setErrorCode(Errors.UNKNOWN_TOPIC_ID.code()));
          continue;
        }
      }
      try {
        TopicRegistry.requireName(name);
        TopicRegistry.TopicMeta deleted = topics.delete(name);
        result.setName(deleted.name()).setTopicId(deleted.uuid()).setErrorCode(Errors.NONE.code());
        toPeers.topics().add(new DeleteTopicsRequestData.DeleteTopicState().setTopicId(deleted.uuid()));
      } catch (ApiException e) {
        ApiError error = ApiError.fromThrowable(e);
        result.setErrorCode(error.error().code()).setErrorMessage(error.message());
      }
      out.responses().add(result);
    }
    return forwarded(context, request, new DeleteTopicsResponse(out),
        new DeleteTopicsRequest.Builder(toPeers).build((short) 6));
  }

  private AbstractResponse createPartitions(CreatePartitionsRequest request) throws IOException {
    CreatePartitionsRequestData in = request.data();
    CreatePartitionsResponseData out = new CreatePartitionsResponseData();
    for (CreatePartitionsRequestData.CreatePartitionsTopic topic : in.topics()) {
      CreatePartitionsResponseData.CreatePartitionsTopicResult result =
          new CreatePartitionsResponseData.CreatePartitionsTopicResult().setName(topic.name());
      try {
        if (topic.assignments() != null && !topic.assignments().isEmpty()) {
          throw new InvalidRequestException("manual replica assignment is not supported; give only the new count");
        }
        if (in.validateOnly()) {
          topics.validateAddPartitions(topic.name(), topic.count());
        } else {
          topics.addPartitions(topic.name(), topic.count());
        }
        result.setErrorCode(Errors.NONE.code());
      } catch (ApiException e) {
        ApiError error = ApiError.fromThrowable(e);
        result.setErrorCode(error.error().code()).setErrorMessage(error.message());
      }
      out.results().add(result);
    }
    return new CreatePartitionsResponse(out);
  }

  // ---- Configs ----

  private List<DescribeConfigsResponseData.DescribeConfigsResourceResult> topicConfigs(Map<String, String> overrides,
                                                                                       Set<String> only) {
    List<DescribeConfigsResponseData.DescribeConfigsResourceResult> out = new ArrayList<>();
    topics.configs().defaults().forEach((name, defaultValue) -> {
      if (!only.isEmpty() && !only.contains(name)) {
        return;
      }
      boolean set = overrides.containsKey(name);
      out.add(new DescribeConfigsResponseData.DescribeConfigsResourceResult()
          .setName(name).setValue(set ? overrides.get(name) : defaultValue).setReadOnly(false)
          .setIsSensitive(false)
          .setConfigSource((set ? DescribeConfigsResponse.ConfigSource.TOPIC_CONFIG
              : DescribeConfigsResponse.ConfigSource.DEFAULT_CONFIG).id())
          .setConfigType(configType(name).id()));
    });
    return out;
  }

  private static DescribeConfigsResponse.ConfigType configType(String name) {
    return switch (name) {
      case TopicConfigs.CLEANUP_POLICY -> DescribeConfigsResponse.ConfigType.LIST;
      case TopicConfigs.SEGMENT_BYTES, TopicConfigs.MAX_MESSAGE_BYTES -> DescribeConfigsResponse.ConfigType.INT;
      default -> DescribeConfigsResponse.ConfigType.LONG;
    };
  }

  private Map<String, String> brokerConfigs() {
    Map<String, String> c = new LinkedHashMap<>();
    Map<String, String> defaults = topics.configs().defaults();
    c.put("advertised.listeners", "PLAINTEXT://" + layout.self());
    c.put("auto.create.topics.enable", Boolean.toString(settings.autoCreateTopics()));
    c.put("broker.id", Integer.toString(layout.selfId()));
    c.put("default.replication.factor", "1");
    c.put("log.retention.bytes", defaults.get(TopicConfigs.RETENTION_BYTES));
    c.put("log.retention.ms", defaults.get(TopicConfigs.RETENTION_MS));
    c.put("log.segment.bytes", defaults.get(TopicConfigs.SEGMENT_BYTES));
    c.put("message.max.bytes", defaults.get(TopicConfigs.MAX_MESSAGE_BYTES));
    c.put("num.partitions", Integer.toString(settings.defaultPartitions()));
    return c;
  }

  private AbstractResponse describeConfigs(DescribeConfigsRequest request) {
    DescribeConfigsResponseData out = new DescribeConfigsResponseData();
    for (DescribeConfigsRequestData.DescribeConfigsResource resource : request.data().resources()) {
      DescribeConfigsResponseData.DescribeConfigsResult result = new DescribeConfigsResponseData.DescribeConfigsResult()
          .setResourceType(resource.resourceType()).setResourceName(resource.resourceName())
          .setErrorCode(Errors.NONE.code());
      Set<String> only = resource.configurationKeys() == null ? Set.of() : new HashSet<>(resource.configurationKeys());
      ConfigResource.Type type = ConfigResource.Type.forId(resource.resourceType());
      if (type == ConfigResource.Type.TOPIC) {
        Optional<TopicRegistry.TopicMeta> meta = topics.topic(resource.resourceName());
        if (meta.isEmpty()) {
          result.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code())
              .setErrorMessage("Topic " + resource.resourceName() + " does not exist");
        } else {
          result.setConfigs(topicConfigs(meta.get().configs(), only));
        }
      } else if (type == ConfigResource.Type.BROKER && isThisBroker(resource.resourceName())) {
        Map<String, String> configs = brokerConfigs();
        if (only.contains(PeerForwarder.TOMBSTONES_CONFIG)) {
          configs.put(PeerForwarder.TOMBSTONES_CONFIG, TopicTombstones.toConfigValue(topics.liveTombstones()));
        }
        configs.forEach((name, value) -> {
          if (only.isEmpty() || only.contains(name)) {
            result.configs().add(new DescribeConfigsResponseData.DescribeConfigsResourceResult()
                .setName(name).setValue(value).setReadOnly(true).setIsSensitive(false)
                .setConfigSource(DescribeConfigsResponse.ConfigSource.STATIC_BROKER_CONFIG.id())
                .setConfigType(DescribeConfigsResponse.ConfigType.STRING.id()));
          }
        });
      } else {
        result.setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage(type == ConfigResource.Type.BROKER
            ? "this is broker " + layout.selfId() + ", not " + resource.resourceName()
            : "config resource type " + type + " is not supported; use TOPIC or BROKER");
      }
      out.results().add(result);
    }
    return new DescribeConfigsResponse(out);
  }

  private boolean isThisBroker(String name) {
    return name.isEmpty() || name.equals(Integer.toString(layout.selfId()));
  }

  private AbstractResponse alterConfigs(IncrementalAlterConfigsRequest request) throws IOException {
    IncrementalAlterConfigsRequestData in = request.data();
    IncrementalAlterConfigsResponseData out = new IncrementalAlterConfigsResponseData();
    for (IncrementalAlterConfigsRequestData.AlterConfigsResource resource : in.resources()) {
      IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse result =
          new IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse()
              .setResourceType(resource.resourceType()).setResourceName(resource.resourceName());
      try {
        ConfigResource.Type type = ConfigResource.Type.forId(resource.resourceType());
        if (type != ConfigResource.Type.TOPIC) {
          throw new InvalidRequestException(type == ConfigResource.Type.BROKER
              ? "broker configs come from broker.yaml (the MessageBroker resource) and cannot be altered at runtime"
              : "config resource type " + type + " is not supported; use TOPIC");
        }
        TopicRegistry.TopicMeta meta = topics.topic(resource.resourceName()).orElseThrow(() ->
            new org.apache.kafka.common.errors.UnknownTopicOrPartitionException(
                "Topic " + resource.resourceName() + " does not exist"));
        Map<String, String> overrides = new LinkedHashMap<>(meta.configs());
        for (IncrementalAlterConfigsRequestData.AlterableConfig change : resource.configs()) {
          AlterConfigOp.OpType op = AlterConfigOp.OpType.forId(change.configOperation());
          if (op == AlterConfigOp.OpType.SET) {
            overrides.put(change.name(), change.value());
          } else if (op == AlterConfigOp.OpType.DELETE) {
            if (!topics.configs().isSupported(change.name())) {
              throw new InvalidConfigurationException(topics.configs().problem(change.name(), "").orElseThrow());
            }
            overrides.remove(change.name());
          } else {
            throw new InvalidConfigurationException("operation " + op + " on " + change.name()
                + " is not supported; use SET or DELETE");
          }
        }
        topics.configs().problem(overrides).ifPresent(problem -> {
          throw new InvalidConfigurationException(problem);
        });
        if (!in.validateOnly()) {
          topics.setConfigs(meta.name(), overrides);
        }
        result.setErrorCode(Errors.NONE.code());
      } catch (ApiException e) {
        ApiError error = ApiError.fromThrowable(e);
        result.setErrorCode(error.error().code()).setErrorMessage(error.message());
      }
      out.responses().add(result);
    }
    return new IncrementalAlterConfigsResponse(out);
  }
}
