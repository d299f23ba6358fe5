package dev.capstan.dataplane.broker.group;

/** The states of a classic consumer group, spelled as Kafka reports them in DescribeGroups and ListGroups. */
enum GroupState {
  /** No members; the group may still hold committed offsets. */
  EMPTY("Empty"),
  /** Waiting for every member to (re)join before the next generation starts. */
  PREPARING_REBALANCE("PreparingRebalance"),
  /** A new generation exists; waiting for the leader's assignment in SyncGroup. */
  COMPLETING_REBALANCE("CompletingRebalance"),
  /** Every member has its assignment for the current generation. */
  STABLE("Stable"),
  /** Deleted: no members and no offsets; a request that still holds it must look the group up again. */
  DEAD("Dead");

  private final String kafkaName;

  GroupState(String kafkaName) {
    this.kafkaName = kafkaName;
  }

  /** The name on the wire, e.g. {@code PreparingRebalance}. */
  public String kafkaName() {
    return kafkaName;
  }

  @Override
  public String toString() {
    return kafkaName;
  }
}
