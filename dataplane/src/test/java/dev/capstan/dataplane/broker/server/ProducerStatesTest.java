package dev.capstan.dataplane.broker.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProducerStatesTest {

  private static ProducerStates afterBatches(int batches) {
    ProducerStates states = new ProducerStates();
    for (int i = 0; i < batches; i++) { // batch i: sequences 10i..10i+9 at offsets 100i..100i+9
      states.record(7, (short) 0, new ProducerStates.BatchMeta(10 * i, 10 * i + 9, 100L * i, 100L * i + 9));
    }
    return states;
  }

  @ParameterizedTest(name = "epoch {0}, seq {1}..{2} -> {3}")
  @CsvSource({
      // next in sequence
      "0, 60, 69, APPEND, -1",
      // retries of the last five batches are answered with their original offsets
      "0, 50, 59, DUPLICATE, 500",
      "0, 10, 19, DUPLICATE, 100",
      // older than the five remembered batches: a gap as far as we can tell
      "0, 0, 9, OUT_OF_ORDER_SEQUENCE_NUMBER, -1",
      // a gap, and a batch that overlaps differently
      "0, 70, 79, OUT_OF_ORDER_SEQUENCE_NUMBER, -1",
      "0, 55, 64, OUT_OF_ORDER_SEQUENCE_NUMBER, -1",
      // a new epoch must restart at 0
      "1, 0, 9, APPEND, -1",
      "1, 60, 69, OUT_OF_ORDER_SEQUENCE_NUMBER, -1",
      // a fenced (older) epoch
      "-1, 60, 69, INVALID_PRODUCER_EPOCH, -1",
  })
  void judgesABatchLikeKafka(short epoch, int firstSeq, int lastSeq, String expected, long originalOffset) {
    ProducerStates states = afterBatches(6);
    if (epoch < 0) {
      states.record(7, (short) 2, new ProducerStates.BatchMeta(0, 0, 600, 600));
      epoch = 1;
    }
    ProducerStates.Verdict verdict = states.check(7, epoch, firstSeq, lastSeq);
    switch (expected) {
      case "APPEND" -> assertThat(verdict).isInstanceOf(ProducerStates.Verdict.Append.class);
      case "DUPLICATE" -> assertThat(verdict).isInstanceOfSatisfying(ProducerStates.Verdict.Duplicate.class,
          d -> assertThat(d.original().firstOffset()).isEqualTo(originalOffset));
      default -> assertThat(verdict).isInstanceOfSatisfying(ProducerStates.Verdict.Refuse.class,
          r -> assertThat(r.error()).isEqualTo(Errors.valueOf(expected)));
    }
  }

  @Test
  void anUnknownProducerMayStartAnywhereAndSequencesWrap() {
    ProducerStates states = new ProducerStates();
    assertThat(states.check(9, (short) 3, 12345, 12350)).isInstanceOf(ProducerStates.Verdict.Append.class);
    states.record(9, (short) 3, new ProducerStates.BatchMeta(Integer.MAX_VALUE - 1, Integer.MAX_VALUE, 0, 1));
    assertThat(states.check(9, (short) 3, 0, 4)).isInstanceOf(ProducerStates.Verdict.Append.class);
    assertThat(states.check(9, (short) 3, 1, 4)).isInstanceOf(ProducerStates.Verdict.Refuse.class);
  }
}
