package dev.capstan.dataplane.broker.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.STRING;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class BatchHeaderTest {

  @Test
  void readsTheHeaderFieldsAtTheirV2Positions() {
    byte[] batch = TestBatches.batch(5, 1_000, 1_700, 3);

    BatchHeader header = BatchHeader.read(ByteBuffer.wrap(batch));

    assertThat(header).isEqualTo(new BatchHeader(TestBatches.PRODUCER_BASE_OFFSET, batch.length, 4, 1_700));
    assertThat(header.lastOffset()).isEqualTo(TestBatches.PRODUCER_BASE_OFFSET + 4);
    assertThat(header.nextOffset()).isEqualTo(TestBatches.PRODUCER_BASE_OFFSET + 5);
    assertThat(BatchHeader.problem(ByteBuffer.wrap(batch))).isEmpty();
  }

  @ParameterizedTest(name = "offset {0}")
  @ValueSource(longs = {0, 1, Long.MAX_VALUE / 2})
  void rewritingBaseOffsetKeepsTheCrcValid(long offset) {
    // the CRC starts at attributes (21), after baseOffset (0..7), so offset assignment is free
    ByteBuffer batch = ByteBuffer.wrap(TestBatches.batch(3, 10));
    batch.putLong(BatchHeader.BASE_OFFSET_OFFSET, offset);

    assertThat(BatchHeader.problem(batch)).isEmpty();
  }

  @ParameterizedTest(name = "byte {0} flipped: {1}")
  @CsvSource({
      "16, magic",
      "21, crc mismatch",
      "23, crc mismatch",
      "35, crc mismatch",
      "61, crc mismatch",
      "70, crc mismatch",
      "8, batchLength declares",
  })
  void flippingACoveredByteIsReported(int position, String problem) {
    byte[] batch = TestBatches.batch(2, 10, 20, 8);
    batch[position] ^= 0x01;

    assertThat(BatchHeader.problem(ByteBuffer.wrap(batch))).get(STRING)
        .contains(problem);
  }

  @Test
  void aBatchShorterThanTheHeaderIsReported() {
    byte[] truncated = Arrays.copyOf(TestBatches.batch(1, 10), BatchHeader.BATCH_OVERHEAD - 1);

    assertThat(BatchHeader.problem(ByteBuffer.wrap(truncated))).get(STRING)
        .contains("shorter than the v2 header");
  }

  @Test
  void aNegativeLastOffsetDeltaIsReported() {
    ByteBuffer batch = ByteBuffer.wrap(TestBatches.batch(1, 10));
    batch.putInt(BatchHeader.LAST_OFFSET_DELTA_OFFSET, -1);

    assertThat(BatchHeader.problem(batch)).get(STRING)
        .contains("lastOffsetDelta is negative");
  }
}
