package dev.capstan.dataplane.tsdb.lineprotocol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.dataplane.tsdb.lineprotocol.FieldValue.BooleanField;
import dev.capstan.dataplane.tsdb.lineprotocol.FieldValue.FloatField;
import dev.capstan.dataplane.tsdb.lineprotocol.FieldValue.IntegerField;
import dev.capstan.dataplane.tsdb.lineprotocol.FieldValue.StringField;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class LineProtocolParserTest {

  static final Instant NOW = Instant.parse("2026-11-27T12:34:56.123456789Z");
  static final long NOW_NANOS = 1_795_782_896_123_456_789L;

  static ParseResult parse(String batch) {
    return parse(batch, Precision.NANOSECONDS);
  }

  static ParseResult parse(String batch, Precision precision) {
    return LineProtocolParser.parse(batch.getBytes(StandardCharsets.UTF_8), precision, NOW);
  }

  static Point point(String measurement, List<Tag> tags, Map<String, FieldValue> fields, long ts) {
    return new Point(measurement, tags, fields, ts);
  }

  static Map<String, FieldValue> field(String key, FieldValue value) {
    return Map.of(key, value);
  }

  static Stream<Arguments> validLines() {
    return Stream.of(
        // field types
        Arguments.of("cpu value=1 10", point("cpu", List.of(), field("value", new FloatField(1)), 10)),
        Arguments.of("cpu value=1.0 10", point("cpu", List.of(), field("value", new FloatField(1)), 10)),
        Arguments.of("cpu value=-1.5e3 10", point("cpu", List.of(), field("value", new FloatField(-1500)), 10)),
        Arguments.of("cpu value=1e-3 10", point("cpu", List.of(), field("value", new FloatField(0.001)), 10)),
        Arguments.of("cpu value=1E+3 10", point("cpu", List.of(), field("value", new FloatField(1000)), 10)),
        Arguments.of("cpu value=.5 10", point("cpu", List.of(), field("value", new FloatField(0.5)), 10)),
        Arguments.of("cpu value=5. 10", point("cpu", List.of(), field("value", new FloatField(5)), 10)),
        Arguments.of("cpu value=-0 10", point("cpu", List.of(), field("value", new FloatField(-0.0)), 10)),
        Arguments.of("cpu value=1e-400 10", point("cpu", List.of(), field("value", new FloatField(0)), 10)),
        Arguments.of("cpu value=1i 10", point("cpu", List.of(), field("value", new IntegerField(1)), 10)),
        Arguments.of("cpu value=-42i 10", point("cpu", List.of(), field("value", new IntegerField(-42)), 10)),
        Arguments.of(
            "cpu value=9223372036854775807i 10",
            point("cpu", List.of(), field("value", new IntegerField(Long.MAX_VALUE)), 10)),
        Arguments.of(
            "cpu value=-9223372036854775808i 10",
            point("cpu", List.of(), field("value", new IntegerField(Long.MIN_VALUE)), 10)),
        Arguments.of("cpu value=\"hi\" 10", point("cpu", List.of(), field("value", new StringField("hi")), 10)),
        Arguments.of("cpu value=\"\" 10", point("cpu", List.of(), field("value", new StringField("")), 10)),
        Arguments.of(
            "cpu value=\"a b,c=d\" 10", point("cpu", List.of(), field("value", new StringField("a b,c=d")), 10)),
        // string escapes: \" and \\ only; other backslashes are literal
        Arguments.of(
            "cpu value=\"say \\\"hi\\\"\" 10",
            point("cpu", List.of(), field("value", new StringField("say \"hi\"")), 10)),
        Arguments.of(
            "cpu value=\"C:\\\\dir\\n\" 10",
            point("cpu", List.of(), field("value", new StringField("C:\\dir\\n")), 10)),
        Arguments.of(
            "cpu value=\"line1\nline2\" 10",
            point("cpu", List.of(), field("value", new StringField("line1\nline2")), 10)),
        // measurement escapes
        Arguments.of(
            "c\\,p\\ u value=1 10", point("c,p u", List.of(), field("value", new FloatField(1)), 10)),
        Arguments.of("c\\=p\\\"u value=1 10", point("c=p\"u", List.of(), field("value", new FloatField(1)), 10)),
        Arguments.of("c\\pu value=1 10", point("c\\pu", List.of(), field("value", new FloatField(1)), 10)),
        Arguments.of("=cpu value=1 10", point("=cpu", List.of(), field("value", new FloatField(1)), 10)),
        // tag escapes, sorting
        Arguments.of(
            "cpu,h\\ o\\,s\\=t=a\\ b\\,c\\=d value=1 10",
            point("cpu", List.of(new Tag("h o,s=t", "a b,c=d")), field("value", new FloatField(1)), 10)),
        Arguments.of(
            "cpu,zone=z,host=h,az=a value=1 10",
            point(
                "cpu",
                List.of(new Tag("az", "a"), new Tag("host", "h"), new Tag("zone", "z")),
                field("value", new FloatField(1)),
                10)),
        Arguments.of(
            "cpu,t=\"q\" value=1 10",
            point("cpu", List.of(new Tag("t", "\"q\"")), field("value", new FloatField(1)), 10)),
        Arguments.of(
            "cpu,t=a\\b value=1 10",
            point("cpu", List.of(new Tag("t", "a\\b")), field("value", new FloatField(1)), 10)),
        // field key escapes
        Arguments.of(
            "cpu v\\ a\\,l\\=u\\\"e=1 10", point("cpu", List.of(), field("v a,l=u\"e", new FloatField(1)), 10)),
        // several fields, a repeated field keeps its last value
        Arguments.of(
            "cpu a=1,b=2i,c=\"x\",d=t 10",
            point(
                "cpu",
                List.of(),
                Map.of(
                    "a", new FloatField(1),
                    "b", new IntegerField(2),
                    "c", new StringField("x"),
                    "d", new BooleanField(true)),
                10)),
        Arguments.of("cpu a=1,a=2i 10", point("cpu", List.of(), field("a", new IntegerField(2)), 10)),
        // whitespace and timestamps
        Arguments.of("  \tcpu value=1   10   ", point("cpu", List.of(), field("value", new FloatField(1)), 10)),
        Arguments.of("cpu value=1 -10", point("cpu", List.of(), field("value", new FloatField(1)), -10)),
        Arguments.of("cpu value=1 0", point("cpu", List.of(), field("value", new FloatField(1)), 0)),
        Arguments.of(
            "cpu value=1 9223372036854775806",
            point("cpu", List.of(), field("value", new FloatField(1)), Point.MAX_TIMESTAMP_NANOS)),
        Arguments.of(
            "cpu value=1 -9223372036854775806",
            point("cpu", List.of(), field("value", new FloatField(1)), Point.MIN_TIMESTAMP_NANOS)),
        Arguments.of("cpu value=1", point("cpu", List.of(), field("value", new FloatField(1)), NOW_NANOS)),
        Arguments.of("cpu value=1   ", point("cpu", List.of(), field("value", new FloatField(1)), NOW_NANOS)),
        Arguments.of("cpu value=1 10\r", point("cpu", List.of(), field("value", new FloatField(1)), 10)),
        // quirks influxd 1.6.7 was seen to share: text after a closing quote stays in the string,
        // and a tag value may start with '='
        Arguments.of("cpu value=\"x\"b 10", point("cpu", List.of(), field("value", new StringField("x\"")), 10)),
        Arguments.of(
            "cpu,a==b v=1 10", point("cpu", List.of(new Tag("a", "=b")), field("v", new FloatField(1)), 10)),
        // unicode passes through
        Arguments.of(
            "température,lieu=Zürich valeur=\"∞ 😀\" 10",
            point("température", List.of(new Tag("lieu", "Zürich")), field("valeur", new StringField("∞ 😀")), 10)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("validLines")
  void parsesValidLine(String line, Point expected) {
    ParseResult result = parse(line);

    assertThat(result.errors()).isEmpty();
    assertThat(result.points()).containsExactly(expected);
    assertThat(result.errorMessage()).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "t, true", "T, true", "true, true", "True, true", "TRUE, true",
    "f, false", "F, false", "false, false", "False, false", "FALSE, false"
  })
  void acceptsEveryBooleanSpelling(String spelling, boolean expected) {
    ParseResult result = parse("cpu value=" + spelling + " 10");

    assertThat(result.points()).singleElement().extracting(p -> p.fields().get("value"))
        .isEqualTo(new BooleanField(expected));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"tRUE", "tru", "yes", "TrUe", "falsey", "FaLsE", "1b", "+1", "nan", "NaN", "Inf", "abc"})
  void refusesOtherBooleanLikeWords(String spelling) {
    assertThat(parse("cpu value=" + spelling + " 10").points()).isEmpty();
  }

  static Stream<Arguments> invalidLines() {
    return Stream.of(
        Arguments.of("cpu", "missing fields"),
        Arguments.of("cpu ", "invalid field format"),
        Arguments.of(",cpu value=1", "missing measurement"),
        Arguments.of("cpu,host=a", "missing fields"),
        Arguments.of("cpu, value=1", "missing tag key"),
        Arguments.of("cpu,=a value=1", "missing tag key"),
        Arguments.of("cpu,host value=1", "missing tag value"),
        Arguments.of("cpu,host= value=1", "missing tag value"),
        Arguments.of("cpu,host=,z=1 value=1", "missing tag value"),
        Arguments.of("cpu,host=a=b value=1", "invalid tag format"),
        Arguments.of("cpu,host=a,host=b value=1", "duplicate tags"),
        Arguments.of("cpu,b=1,a=1,b=2 value=1", "duplicate tags"),
        Arguments.of("cpu =1", "missing field key"),
        Arguments.of("cpu a=1,=2", "missing field key"),
        Arguments.of("cpu value=", "missing field value"),
        Arguments.of("cpu value=,a=1", "missing field value"),
        Arguments.of("cpu value= 10", "missing field value"),
        Arguments.of("cpu value", "invalid field format"),
        Arguments.of("cpu a=1,b", "invalid field format"),
        Arguments.of("cpu a=1,", "invalid field format"),
        Arguments.of("cpu value=\"abc", "unbalanced quotes"),
        Arguments.of("cpu value=\"abc\\\"", "unbalanced quotes"),
        Arguments.of("cpu value=1.1.1", "invalid number"),
        Arguments.of("cpu value=-", "invalid number"),
        Arguments.of("cpu value=-,a=1", "invalid number"),
        Arguments.of("cpu value=.", "invalid number"),
        Arguments.of("cpu value=1a", "invalid number"),
        Arguments.of("cpu value=1.5i", "invalid number"),
        Arguments.of("cpu value=1e3i", "invalid number"),
        Arguments.of("cpu value=1i2", "invalid number"),
        Arguments.of("cpu value=1ii", "invalid number"),
        Arguments.of("cpu value=-i", "invalid number"),
        Arguments.of("cpu value=1u", "invalid number"),
        Arguments.of("cpu value=NaN", "invalid number"),
        Arguments.of("cpu value=nan", "invalid number"),
        Arguments.of("cpu value=1-2", "invalid number"),
        Arguments.of("cpu value=1e", "invalid float"),
        Arguments.of("cpu value=1ee3", "invalid float"),
        Arguments.of("cpu value=1e400", "invalid float"),
        Arguments.of("cpu value=-1e400", "invalid float"),
        Arguments.of(
            "cpu value=9223372036854775808i",
            "unable to parse integer 9223372036854775808: strconv.ParseInt: parsing \"9223372036854775808\": value out of range"),
        Arguments.of(
            "cpu value=-9223372036854775809i",
            "unable to parse integer -9223372036854775809: strconv.ParseInt: parsing \"-9223372036854775809\": value out of range"),
        Arguments.of("cpu value=tru", "invalid boolean"),
        Arguments.of("cpu value=+1", "invalid boolean"),
        Arguments.of("cpu value=1 abc", "bad timestamp"),
        Arguments.of("cpu value=1 12a", "bad timestamp"),
        Arguments.of("cpu value=1 1-2", "bad timestamp"),
        Arguments.of("cpu value=1 -", "strconv.ParseInt: parsing \"-\": invalid syntax"),
        Arguments.of(
            "cpu value=1 9223372036854775808",
            "strconv.ParseInt: parsing \"9223372036854775808\": value out of range"),
        Arguments.of(
            "cpu value=1 9223372036854775807",
            "time outside range -9223372036854775806 - 9223372036854775806"),
        Arguments.of(
            "cpu value=1 -9223372036854775807",
            "time outside range -9223372036854775806 - 9223372036854775806"),
        Arguments.of("cpu value=1 10 20", "point is invalid"),
        Arguments.of("cpu value=1 10\t", "bad timestamp"),
        Arguments.of("cpu value=\"x\"\\,b=1", "invalid field format"),
        Arguments.of("cpu a\\\\=1", "invalid value: field-key=a\\\\=1"));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("invalidLines")
  void reportsInfluxReason(String line, String reason) {
    ParseResult result = parse(line);

    assertThat(result.points()).isEmpty();
    assertThat(result.errors()).containsExactly(new LineError(1, line, reason));
    assertThat(result.errorMessage()).contains("unable to parse '" + line + "': " + reason);
  }

  @Test
  void refusesTooLongSeriesKey() {
    String measurement = "m".repeat(LineProtocolParser.MAX_KEY_LENGTH);
    assertThat(parse(measurement + " v=1").errors()).singleElement().extracting(LineError::reason)
        .isEqualTo("max key length exceeded: 65540 > 65535");
    assertThat(parse("m".repeat(65536) + " v=1").errors()).singleElement().extracting(LineError::reason)
        .isEqualTo("max key length exceeded: 65536 > 65535");
    assertThat(parse("m".repeat(65530) + " v=1").errors()).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "n, 7, 7",
    "u, 7, 7000",
    "ms, 7, 7000000",
    "s, 7, 7000000000",
    "m, 7, 420000000000",
    "h, 7, 25200000000000",
    "s, -7, -7000000000"
  })
  void scalesTimestampByPrecision(String parameter, long timestamp, long nanos) {
    ParseResult result = parse("cpu v=1 " + timestamp, Precision.fromParameter(parameter));

    assertThat(result.points()).singleElement().extracting(Point::timestampNanos).isEqualTo(nanos);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "n, 1795782896123456789",
    "u, 1795782896123456000",
    "ms, 1795782896123000000",
    "s, 1795782896000000000",
    "m, 1795782840000000000",
    "h, 1795780800000000000"
  })
  void stampsPointsWithoutTimestampWithNowTruncatedToPrecision(String parameter, long nanos) {
    ParseResult result = parse("cpu v=1", Precision.fromParameter(parameter));

    assertThat(result.points()).singleElement().extracting(Point::timestampNanos).isEqualTo(nanos);
  }

  @Test
  void refusesTimestampThatOverflowsAfterScaling() {
    assertThat(parse("cpu v=1 9223372036855", Precision.MILLISECONDS).errors()).singleElement()
        .extracting(LineError::reason).isEqualTo("time outside range -9223372036854775806 - 9223372036854775806");
    assertThat(parse("cpu v=1 9223372036854", Precision.MILLISECONDS).errors()).isEmpty();
  }

  @ParameterizedTest
  @CsvSource({"'', NANOSECONDS", "ns, NANOSECONDS", "x, NANOSECONDS", "ms, MILLISECONDS", "h, HOURS"})
  void unknownPrecisionMeansNanosecondsAsInInfluxd(String parameter, Precision expected) {
    assertThat(Precision.fromParameter(parameter)).isEqualTo(expected);
    assertThat(Precision.fromParameter(null)).isEqualTo(Precision.NANOSECONDS);
  }

  @Test
  void skipsCommentsAndBlankLinesAndToleratesCrLf() {
    ParseResult result =
        parse("# a comment\r\n\r\n   \n\t# indented comment x=\"y\"\ncpu v=1 1\r\n\n  cpu v=2 2\r\n");

    assertThat(result.errors()).isEmpty();
    assertThat(result.points()).extracting(Point::timestampNanos).containsExactly(1L, 2L);
  }

  @Test
  void quoteInCommentSwallowsTheNextLineAsInInfluxd() {
    ParseResult result = parse("# c x=\"y\ncpu v=1 1\"\ncpu v=2 2");

    assertThat(result.errors()).isEmpty();
    assertThat(result.points()).extracting(Point::timestampNanos).containsExactly(2L);
  }

  @Test
  void emptyBatchHasNothingAndNoError() {
    ParseResult result = parse("");

    assertThat(result.points()).isEmpty();
    assertThat(result.errorMessage()).isEmpty();
  }

  @Test
  void keepsValidLinesOfPartialBatchAndAnswersLikeInfluxd() {
    ParseResult result = parse("cpu v=1 1\ncpu\ncpu v=2 2\n\ncpu,host= v=3 3\n  mem free=4i 4\n");

    assertThat(result.points()).extracting(Point::timestampNanos).containsExactly(1L, 2L, 4L);
    assertThat(result.errors())
        .containsExactly(
            new LineError(2, "cpu", "missing fields"), new LineError(5, "cpu,host= v=3 3", "missing tag value"));
    assertThat(result.errorMessage())
        .contains(
            "partial write: unable to parse 'cpu': missing fields\n"
                + "unable to parse 'cpu,host= v=3 3': missing tag value dropped=0");
  }

  @Test
  void answersBareParseErrorWhenNothingParsed() {
    ParseResult result = parse("cpu\nmem v=");

    assertThat(result.errorMessage())
        .contains("unable to parse 'cpu': missing fields\nunable to parse 'mem v=': missing field value");
  }

  @Test
  void partialWriteMessageCountsDroppedPoints() {
    assertThat(PartialWrite.message("points beyond retention policy", 3))
        .isEqualTo("partial write: points beyond retention policy dropped=3");
  }

  @Test
  void quotedNewlineContinuesThePointAndLineNumbersFollowPhysicalLines() {
    ParseResult result = parse("cpu v=\"a\nb\" 1\nbad\ncpu v=2 2");

    assertThat(result.points()).extracting(p -> p.fields().get("v"))
        .containsExactly(new StringField("a\nb"), new FloatField(2));
    assertThat(result.errors()).containsExactly(new LineError(3, "bad", "missing fields"));
  }

  @Test
  void unterminatedStringSwallowsFollowingLinesAsInInfluxd() {
    ParseResult result = parse("cpu v=\"open 1\ncpu v=2 2\ncpu v=3 3");

    assertThat(result.points()).isEmpty();
    assertThat(result.errors()).singleElement().satisfies(e -> {
      assertThat(e.lineNumber()).isEqualTo(1);
      assertThat(e.reason()).isEqualTo("unbalanced quotes");
    });
  }

  @Test
  void backslashBeforeNewlineJoinsTheNextLineAsInInfluxd() {
    ParseResult result = parse("cpu,t=a\\\ncpu v=1 1\nbad");

    assertThat(result.points()).singleElement().extracting(Point::tags)
        .isEqualTo(List.of(new Tag("t", "a\\\ncpu")));
    assertThat(result.errors()).containsExactly(new LineError(3, "bad", "missing fields"));
  }

  @Test
  void keepsFieldOrderOfFirstAppearance() {
    Map<String, FieldValue> fields = parse("cpu z=1,a=2,m=3 1").points().get(0).fields();

    assertThat(fields.keySet()).containsExactly("z", "a", "m");
    assertThat(new LinkedHashMap<>(fields)).isEqualTo(Map.of("z", new FloatField(1), "a", new FloatField(2), "m", new FloatField(3)));
  }

  @Test
  void replacesMalformedUtf8InsteadOfFailing() {
    byte[] batch = {'c', (byte) 0xff, ' ', 'v', '=', '1', ' ', '1'};

    ParseResult result = LineProtocolParser.parse(batch, Precision.NANOSECONDS, NOW);

    assertThat(result.points()).singleElement().extracting(Point::measurement).isEqualTo("c\uFFFD");
  }
}
