package dev.capstan.dataplane.tsdb.lineprotocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Seeded random and mutated input: a bad line is an answer, never an exception or a lost neighbour. */
class LineProtocolFuzzTest {

  static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");
  static final byte[] STRUCTURAL = RandomPoints.NASTY.getBytes(StandardCharsets.UTF_8);

  @Test
  void randomBytesGiveOnlyPointsAndLineErrors() {
    SplittableRandom random = new SplittableRandom(1L);
    int withPoints = 0;
    int withErrors = 0;
    for (int n = 0; n < 10_000; n++) {
      byte[] batch = n % 2 == 0 ? randomBytes(random) : tokenSoup(random);
      ParseResult result = checkedParse(batch);
      withPoints += result.points().isEmpty() ? 0 : 1;
      withErrors += result.errors().isEmpty() ? 0 : 1;
    }
    // The generator must reach both outcomes, or the test proves nothing.
    assertThat(withPoints).isGreaterThan(300);
    assertThat(withErrors).isGreaterThan(5_000);
  }

  static byte[] randomBytes(SplittableRandom random) {
    byte[] batch = new byte[random.nextInt(120)];
    for (int i = 0; i < batch.length; i++) {
      batch[i] = random.nextBoolean() ? STRUCTURAL[random.nextInt(STRUCTURAL.length)] : (byte) random.nextInt(256);
    }
    return batch;
  }

  /** Lines built from right and wrong pieces in each position, so that many inputs parse. */
  static byte[] tokenSoup(SplittableRandom random) {
    String[][] positions = {
      {"cpu", "é😀", "c\\,p", "#c", "", ",", "c\\"},
      {"", "", ",t=x", ",h=a,t=\"", ",=", ",t=", ",t"},
      {" ", " ", " ", "  ", "", "\t"},
      {"v=1", "v=1i", "v=\"s,\\\" \"", "v=T", "v=-2.5e3", "v=", "v=1.1.1", "v=\"x", "v", "=1", "v=1u"},
      {"", "", ",w=2", ",w", ",v=\"a\nb\""},
      {"", " 1700000000", " -1", " x", " 1 2", " 99999999999999999999"},
      {"\n", "\n", "\r\n", "\\\n", "\n\n"}
    };
    StringBuilder batch = new StringBuilder();
    int lines = 1 + random.nextInt(4);
    for (int l = 0; l < lines; l++) {
      for (String[] choices : positions) {
        batch.append(choices[random.nextInt(choices.length)]);
      }
    }
    return batch.toString().getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void mutatedValidLinesGiveOnlyPointsAndLineErrors() {
    SplittableRandom random = new SplittableRandom(2L);
    RandomPoints points = new RandomPoints(random, false);
    int stillValid = 0;
    for (int n = 0; n < 10_000; n++) {
      byte[] line = LineProtocolWriter.format(points.point()).getBytes(StandardCharsets.UTF_8);
      byte[] mutated = mutate(random, line, STRUCTURAL, 1 + random.nextInt(4));
      ParseResult result = checkedParse(mutated);
      stillValid += result.errors().isEmpty() ? 1 : 0;
    }
    assertThat(stillValid).isBetween(100, 9_000);
  }

  /**
   * A batch parses exactly as its lines do one by one: what a bad line does stays on its line.
   * Bad lines here never open a quoted string nor end in a backslash, the one way a line may
   * legally continue onto the next.
   */
  @Test
  void validLinesAreNeverLostBecauseOfBadNeighbours() {
    SplittableRandom random = new SplittableRandom(3L);
    RandomPoints nasty = new RandomPoints(random, false);
    RandomPoints plain = new RandomPoints(random, true);
    byte[] plainAlphabet = RandomPoints.NASTY.replace("\"", "").replace("\\", "").replace("\n", "")
        .getBytes(StandardCharsets.UTF_8);
    int validLines = 0;
    int badLines = 0;
    for (int n = 0; n < 2_000; n++) {
      List<String> lines = new ArrayList<>();
      List<Point> validPoints = new ArrayList<>();
      int count = 2 + random.nextInt(9);
      for (int l = 0; l < count; l++) {
        switch (random.nextInt(3)) {
          case 0 -> {
            Point point = nasty.point();
            validPoints.add(point);
            lines.add(LineProtocolWriter.format(point));
            validLines++;
          }
          case 1 -> {
            lines.add(plain.text(random.nextInt(40)));
            badLines++;
          }
          default -> {
            byte[] line = LineProtocolWriter.format(plain.point()).getBytes(StandardCharsets.UTF_8);
            lines.add(new String(mutate(random, line, plainAlphabet, 1 + random.nextInt(3)), StandardCharsets.UTF_8));
            badLines++;
          }
        }
      }

      ParseResult batch = checkedParse(String.join("\n", lines).getBytes(StandardCharsets.UTF_8));

      List<Point> expectedPoints = new ArrayList<>();
      List<LineError> expectedErrors = new ArrayList<>();
      int firstLine = 1;
      for (String line : lines) {
        ParseResult alone = checkedParse(line.getBytes(StandardCharsets.UTF_8));
        expectedPoints.addAll(alone.points());
        for (LineError e : alone.errors()) {
          expectedErrors.add(new LineError(e.lineNumber() + firstLine - 1, e.line(), e.reason()));
        }
        firstLine += (int) line.chars().filter(c -> c == '\n').count() + 1;
      }
      assertThat(batch.points()).as(String.join("\n", lines)).isEqualTo(expectedPoints);
      assertThat(batch.errors()).as(String.join("\n", lines)).isEqualTo(expectedErrors);
      assertThat(batch.points()).containsAll(validPoints);
    }
    assertThat(validLines).isGreaterThan(3_000);
    assertThat(badLines).isGreaterThan(6_000);
  }

  /** Parses and checks what must hold for any input. */
  static ParseResult checkedParse(byte[] batch) {
    ParseResult result = LineProtocolParser.parse(batch, Precision.NANOSECONDS, NOW);
    int physicalLines = 1;
    for (byte b : batch) {
      physicalLines += b == '\n' ? 1 : 0;
    }
    int previous = 0;
    for (LineError error : result.errors()) {
      assertThat(error.lineNumber()).isGreaterThan(previous).isLessThanOrEqualTo(physicalLines);
      previous = error.lineNumber();
      assertThat(error.reason()).isNotBlank();
    }
    if (result.errors().isEmpty()) {
      assertThat(result.errorMessage()).isEmpty();
    } else {
      assertThat(result.errorMessage()).get().asString()
          .startsWith(result.points().isEmpty() ? "unable to parse '" : "partial write: unable to parse '")
          .endsWith(result.points().isEmpty() ? result.errors().get(result.errors().size() - 1).reason() : " dropped=0");
    }
    for (Point point : result.points()) {
      // Whatever the parser accepts reads back the same once written canonically.
      String line;
      try {
        line = LineProtocolWriter.format(point);
      } catch (IllegalArgumentException inexpressible) {
        continue;
      }
      assertThat(LineProtocolParser.parse(line.getBytes(StandardCharsets.UTF_8), Precision.NANOSECONDS, NOW).points())
          .as(line).containsExactly(point);
    }
    return result;
  }

  static byte[] mutate(SplittableRandom random, byte[] line, byte[] alphabet, int mutations) {
    byte[] current = line;
    for (int m = 0; m < mutations; m++) {
      int at = current.length == 0 ? 0 : random.nextInt(current.length);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      switch (random.nextInt(4)) {
        case 0 -> { // insert
          out.write(current, 0, at);
          out.write(alphabet[random.nextInt(alphabet.length)]);
          out.write(current, at, current.length - at);
        }
        case 1 -> { // delete
          out.write(current, 0, at);
          if (at < current.length) {
            out.write(current, at + 1, current.length - at - 1);
          }
        }
        case 2 -> { // replace
          out.write(current, 0, current.length);
          byte[] bytes = out.toByteArray();
          if (bytes.length > 0) {
            bytes[at] = alphabet[random.nextInt(alphabet.length)];
          }
          out.reset();
          out.write(bytes, 0, bytes.length);
        }
        default -> { // duplicate a slice
          int length = current.length == 0 ? 0 : random.nextInt(Math.min(8, current.length - at) + 1);
          out.write(current, 0, at + length);
          out.write(current, at, current.length - at);
        }
      }
      current = out.toByteArray();
    }
    return current;
  }
}
