package co.signalchannel.scuttlebutt;

import co.signalchannel.connection.Closure;

import static co.signalchannel.scuttlebutt.Fixtures.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ScuttlebuttCodecTest {

    private final ScuttlebuttCodec codec = new ScuttlebuttCodec(ScuttlebuttCodec.Limits.DEFAULTS);
    private final ScuttlebuttCodec limited = new ScuttlebuttCodec(new ScuttlebuttCodec.Limits(3, 4, 10, 2, 64));

    @Test
    void readsADigestIgnoringMeta() throws Exception {
        assertThat(codec.decode("{\"id\":\"r1\",\"clock\":{\"a\":1389028939485.001,\"b\":5},\"meta\":{\"x\":1}}"))
                .containsExactly(new Digest("r1", Map.of("a", 1389028939485.001, "b", 5d)));
    }

    @Test
    void readsAnUpdateIgnoringASignature() throws Exception {
        assertThat(codec.decode("[[\"k\",{\"a\":[1,null]}],1700000000000,\"src\",\"signature\"]"))
                .containsExactly(new Update("k", json("{\"a\":[1,null]}"), 1700000000000d, "src"));
    }

    @Test
    void readsTheSyncMarker() throws Exception {
        assertThat(codec.decode("\"SYNC\"\n")).containsExactly(SyncMarker.SYNC);
    }

    @Test
    void readsSeveralLinesInOrderSkippingBlankOnesAndToleratingCrLf() throws Exception {
        String message = "{\"id\":\"r\",\"clock\":{}}\r\n\n  \n[[\"k\",null],1,\"s\"]\r\n\"SYNC\"";

        assertThat(codec.decode(message)).containsExactly(
                new Digest("r", Map.of()),
                new Update("k", json("null"), 1, "s"),
                SyncMarker.SYNC);
    }

    @Test
    void takesALastLineWithoutNewlineAsComplete() throws Exception {
        assertThat(codec.decode("\"SYNC\"\n\"SYNC\"")).hasSize(2);
    }

    @Test
    void anEmptyMessageCarriesNoValues() throws Exception {
        assertThat(codec.decode("")).isEmpty();
        assertThat(codec.decode("\n\n")).isEmpty();
    }

    @Test
    void keepsFractionalTimestampsExactly() throws Exception {
        Update update = (Update) codec.decode("[[\"k\",1],1389028939485.001,\"s\"]").get(0);

        assertThat(update.ts()).isEqualTo(1389028939485.001);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            {"id":                                  | line 1: not JSON at column
            [[\"k\",1],1,\"s\"] trailing            | line 1: not JSON
            42                                      | line 1: expected a digest object, an update array or "SYNC", got 42
            "SYNCED"                                | line 1: expected a digest object, an update array or "SYNC", got "SYNCED"
            null                                    | line 1: expected a digest object, an update array or "SYNC", got null
            [1,2]                                   | line 1: update must be [[key, value], ts, source], got 2 elements
            [["k",1],1,"s",null,5]                  | line 1: update must be [[key, value], ts, source], got 5 elements
            ["k",1,"s"]                             | line 1: update must start with a [key, value] pair, got "k"
            [["k"],1,"s"]                           | line 1: update must start with a [key, value] pair, got ["k"]
            [[5,1],1,"s"]                           | line 1: update key must be a string, got 5
            [["k",1],"abc","s"]                     | line 1: update timestamp must be a number, got "abc"
            [["k",1],1e400,"s"]                     | line 1: update timestamp must be a finite number, got 1e400
            [["k",1],1,7]                           | line 1: update source must be a string, got 7
            [["k",1],1,null]                        | line 1: update source must be a string, got null
            {"clock":{}}                            | line 1: digest has no "id" string
            {"id":3,"clock":{}}                     | line 1: digest "id" must be a string, got 3
            {"id":"r"}                              | line 1: digest has no "clock" object
            {"id":"r","clock":[]}                   | line 1: digest "clock" must be an object, got []
            {"id":"r","clock":{"a":"1"}}            | line 1: digest clock entry "a" must be a number, got "1"
            """)
    void aLineThatIsNotAProtocolValueIsRefusedWithAReadableReason(String line, String reason) {
        assertThatThrownBy(() -> codec.decode(line))
                .isInstanceOf(MalformedMessageException.class)
                .isNotInstanceOf(MessageLimitException.class)
                .hasMessageStartingWith(reason);
    }

    @Test
    void theReasonNamesTheLine() {
        assertThatThrownBy(() -> codec.decode("\"SYNC\"\n\n[[\"k\",1],\"abc\",\"s\"]\n"))
                .isInstanceOf(MalformedMessageException.class)
                .hasMessage("line 3: update timestamp must be a number, got \"abc\"")
                .extracting(e -> ((MalformedMessageException) e).line()).isEqualTo(3);
    }

    @Test
    void aLongOffendingValueIsQuotedShort() {
        assertThatThrownBy(() -> codec.decode("[[\"k\",1],\"" + "x".repeat(500) + "\",\"s\"]"))
                .hasMessage("line 1: update timestamp must be a number, got \"" + "x".repeat(31) + "…");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{", "[[\"k\",1],1,\"s\"", "\u0000", "{\"id\":\"r\",\"clock\":{}}}"})
    void everyReasonFitsACloseFrame(String line) {
        assertThatThrownBy(() -> codec.decode(line.repeat(50)))
                .isInstanceOfSatisfying(MalformedMessageException.class, e -> assertThat(
                        new Closure(1007, e.getMessage()).reason().getBytes(StandardCharsets.UTF_8).length)
                        .isLessThanOrEqualTo(Closure.MAX_REASON_BYTES));
    }

    @Test
    void aKeyOverTheLimitIsRefused() {
        assertThatThrownBy(() -> limited.decode("[[\"long\",1],1,\"s\"]"))
                .isInstanceOf(MessageLimitException.class)
                .hasMessage("line 1: update key is 4 characters, over the limit of 3");
    }

    @Test
    void aSourceOverTheLimitIsRefused() {
        assertThatThrownBy(() -> limited.decode("[[\"k\",1],1,\"sources\"]"))
                .isInstanceOf(MessageLimitException.class)
                .hasMessage("line 1: update source is 7 characters, over the limit of 4");
    }

    @Test
    void aValueOverTheLimitIsRefusedCountingUtf8Bytes() {
        assertThatThrownBy(() -> limited.decode("[[\"k\",\"ééééé\"],1,\"s\"]"))
                .isInstanceOf(MessageLimitException.class)
                .hasMessage("line 1: update value is 12 bytes, over the limit of 10");
    }

    @Test
    void aValueAtTheLimitIsAccepted() throws Exception {
        assertThat(limited.decode("[[\"k\",\"12345678\"],1,\"s\"]")).hasSize(1);
    }

    @Test
    void tooManyValuesInOneMessageAreRefused() {
        assertThatThrownBy(() -> limited.decode("\"SYNC\"\n\"SYNC\"\n\n\"SYNC\""))
                .isInstanceOf(MessageLimitException.class)
                .hasMessage("line 4: message carries more than 2 values, the limit");
    }

    @Test
    void writesAnUpdateAsOneLine() {
        assertThat(codec.encode(new Update("k", json("{\"a\":\"é\"}"), 1700000000000d, "src")))
                .isEqualTo("[[\"k\",{\"a\":\"é\"}],1700000000000,\"src\"]\n");
    }

    @Test
    void writesADeleteWithNull() {
        assertThat(codec.encode(new Update("k", json("null"), 1, "s"))).isEqualTo("[[\"k\",null],1,\"s\"]\n");
    }

    @Test
    void writesADigest() {
        assertThat(codec.encode(new Digest("r", Map.of("b", 2d, "a", 1389028939485.001))))
                .isEqualTo("{\"id\":\"r\",\"clock\":{\"a\":1389028939485.001,\"b\":2}}\n");
    }

    @Test
    void writesTheSyncMarker() {
        assertThat(codec.encode(SyncMarker.SYNC)).isEqualTo("\"SYNC\"\n").isEqualTo(ScuttlebuttCodec.SYNC_LINE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1700000000000", "1389028939485.001", "1389028939485.002", "1700000000000.999",
            "1700000000000.5", "0", "1", "-5", "0.1", "123456789012345680000"})
    void timestampsRoundTripAsJavaScriptWritesThem(String ts) throws Exception {
        String written = codec.encode(codec.decode("[[\"k\",1]," + ts + ",\"s\"]").get(0));

        assertThat(written).isEqualTo("[[\"k\",1]," + ts + ",\"s\"]\n");
    }

    @Test
    void timestampsMadeInJavaAreWrittenPlainAndReadBackTheSame() throws Exception {
        for (double ts : new double[] {1.7e12, 1389028939485.001, 1e-7, Math.PI, Math.nextUp(1.7e12)}) {
            String line = codec.encode(new Update("k", json("1"), ts, "s"));

            assertThat(line).doesNotContain("E12");
            assertThat(((Update) codec.decode(line).get(0)).ts()).isEqualTo(ts);
        }
    }

    @Test
    void encodedValuesReadBackUnchanged() throws Exception {
        List<ProtocolValue> values = List.of(
                new Digest("r", Map.of("s", 1389028939485.001)),
                new Update("k", json("[1,\"two\",{\"three\":3.5}]"), 1389028939485.001, "s"),
                SyncMarker.SYNC);
        StringBuilder message = new StringBuilder();
        values.forEach(value -> message.append(codec.encode(value)));

        assertThat(codec.decode(message.toString())).isEqualTo(values);
    }

    @Test
    void aLineNestedDeeperThanTheLimitIsRefusedNamingTheLimit() {
        // Was: Parsson's own depth limit threw a RuntimeException, which closed the session with 1011.
        String deep = "{\"a\":".repeat(3_000) + "1" + "}".repeat(3_000);
        assertThatThrownBy(() -> codec.decode("[[\"k\"," + deep + "],1,\"s\"]"))
                .isInstanceOf(MalformedMessageException.class)
                .isNotInstanceOf(MessageLimitException.class)
                .hasMessage("line 1: JSON nests arrays and objects more than 64 deep, the limit");
    }

    @Test
    void aLineAtTheDepthLimitIsAccepted() throws Exception {
        // The update's own array and its [key, value] pair are two of the 64 levels.
        String deepest = "[".repeat(62) + "]".repeat(62);
        assertThat(codec.decode("[[\"k\"," + deepest + "],1,\"s\"]")).hasSize(1);
        assertThatThrownBy(() -> codec.decode("[[\"k\",[" + deepest + "]],1,\"s\"]"))
                .hasMessageContaining("more than 64 deep");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            [["k",1],1,""]                          | line 1: update source is empty; a source id is 1 to 256 characters
            {"id":"","clock":{}}                    | line 1: digest "id" is empty; a replica id is 1 to 256 characters
            {"id":"r","clock":{"":1}}               | line 1: digest clock source is empty; a source id is 1 to 256 characters
            """)
    void anEmptyIdIsRefused(String line, String reason) {
        // Was: accepted, although source ids are 1 to 256 characters.
        assertThatThrownBy(() -> codec.decode(line))
                .isInstanceOf(MalformedMessageException.class)
                .isNotInstanceOf(MessageLimitException.class)
                .hasMessage(reason);
    }

    @Test
    void aDigestIdOrClockSourceOverTheLimitIsRefused() {
        assertThatThrownBy(() -> limited.decode("{\"id\":\"replica\",\"clock\":{}}"))
                .isInstanceOf(MessageLimitException.class)
                .hasMessage("line 1: digest \"id\" is 7 characters, over the limit of 4");
        assertThatThrownBy(() -> limited.decode("{\"id\":\"r\",\"clock\":{\"sources\":1}}"))
                .isInstanceOf(MessageLimitException.class)
                .hasMessage("line 1: digest clock source is 7 characters, over the limit of 4");
    }

    @ParameterizedTest
    @ValueSource(strings = {"-0", "-0.0", "0.000", "1e400", "1E+400", "1e-400", "2.50E-3", "9007199254740993",
            "-0.0e-0", "1e9999999999", "123456789012345678901234567890.123456789012345678901234567890"})
    void numbersInValuesGoBackOutExactlyAsWritten(String number) throws Exception {
        // Was: -0 came back 0, 1e400 as 1E+400, and a double could not hold every digit.
        String line = "[[\"k\",{\"n\":" + number + ",\"list\":[" + number + ",[" + number + "]]}],1700000000000,\"s\"]\n";

        assertThat(codec.encode(codec.decode(line).get(0))).isEqualTo(line);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.7e12", "1.7E+12", "1700000000000.0", "1389028939485.0010", "17000000000000e-1", "-0",
            "1E-7"})
    void timestampsGoBackOutExactlyAsWritten(String ts) throws Exception {
        String line = "[[\"k\",1]," + ts + ",\"s\"]\n";
        Update update = (Update) codec.decode(line).get(0);

        assertThat(codec.encode(update)).isEqualTo(line);
        assertThat(update.ts()).isEqualTo(Double.parseDouble(ts));
    }

    @Test
    void aValueIsMeasuredAsWritten() throws Exception {
        // Was: measured as JSON-P rewrote it, [1E+400,10], one byte over.
        assertThat(limited.decode("[[\"k\",[1e400,10]],1,\"s\"]")).hasSize(1);
    }
}
