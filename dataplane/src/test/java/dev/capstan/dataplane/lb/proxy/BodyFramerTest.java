package dev.capstan.dataplane.lb.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Where a body ends, read by the piece, and that its bytes pass on as they came. */
class BodyFramerTest {

  private static ByteBuf bytes(String s) {
    return Unpooled.copiedBuffer(s.replace("|", "\r\n"), StandardCharsets.ISO_8859_1);
  }

  /**
   * Reads {@code reads} (separated by "/", "|" for CR LF) as one body: what was passed on, and
   * what was left of the last read for the next message. {@code length} -1: chunked.
   */
  @ParameterizedTest(name = "{0} in {1}")
  @CsvSource(delimiter = ';', value = {
      // length; reads; passed on; left for the next message
      "5; hello; hello; ''",
      "5; he/llo; hello; ''",
      "5; hel/loGET; hello; GET",
      "1; xy; x; y",
      "-1; 3|abc|0||; 3|abc|0||; ''",
      "-1; 3|a/bc|0|/|HTTP; 3|abc|0||; HTTP",
      "-1; 0|X-T: t||next; 0|X-T: t||; next",
  })
  void endsAtItsLastByte(long length, String reads, String passed, String left) throws Exception {
    BodyFramer body = new BodyFramer();
    if (length < 0) {
      body.chunked();
    } else {
      body.length(length);
    }
    String[] pieces = reads.split("/");
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < pieces.length; i++) {
      ByteBuf in = bytes(pieces[i]);
      List<Object> msgs = new ArrayList<>();
      boolean ended = body.read(in, msgs);
      for (Object m : msgs) {
        out.append(((ByteBuf) m).toString(StandardCharsets.ISO_8859_1));
        ((ByteBuf) m).release();
      }
      assertThat(ended).as("ended after read %d", i + 1).isEqualTo(i == pieces.length - 1);
      if (ended) {
        assertThat(in.toString(StandardCharsets.ISO_8859_1)).isEqualTo(left.replace("|", "\r\n"));
      } else {
        assertThat(in.isReadable()).isFalse();
      }
      in.release();
    }
    assertThat(out.toString()).isEqualTo(passed.replace("|", "\r\n"));
  }

  @ParameterizedTest
  @CsvSource({"3x|abc|0||", "3|abcd|0||"})
  void aBrokenChunkFramingIsRefused(String read) {
    BodyFramer body = new BodyFramer();
    body.chunked();
    ByteBuf in = bytes(read);
    assertThatThrownBy(() -> body.read(in, new ArrayList<>())).isInstanceOf(ResponseHead.InvalidResponse.class);
    in.release();
  }
}
