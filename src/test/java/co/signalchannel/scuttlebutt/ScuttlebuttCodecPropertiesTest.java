package co.signalchannel.scuttlebutt;

import static org.assertj.core.api.Assertions.assertThat;

import co.signalchannel.connection.Connection;
import co.signalchannel.testing.FakeTransport;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;
import jakarta.json.stream.JsonGenerator;

import java.io.StringWriter;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/** The codec writes lines by hand, for speed; they must be what a JSON-P generator writes. */
class ScuttlebuttCodecPropertiesTest {

    /** One provider: looking it up for each string would be most of a try. */
    private static final JsonProvider JSON = JsonProvider.provider();

    private final ScuttlebuttCodec codec = new ScuttlebuttCodec(new ScuttlebuttCodec.Limits(1 << 20, 1 << 20, 1 << 20, 10, 64));

    @Property(tries = 1000)
    void anUpdateIsWrittenAsAJsonPGeneratorWritesItAndReadsBackUnchanged(
            @ForAll("texts") String key, @ForAll("values") JsonValue value, @ForAll("ids") String source) throws Exception {
        Update update = new Update(key, value, 1_700_000_000_000d, source);

        String line = codec.encode(update);

        assertThat(line).isEqualTo(generated(json -> json.writeStartArray()
                .writeStartArray().write(key).write(value).writeEnd()
                .write(new BigDecimal(1_700_000_000_000L)).write(source).writeEnd()));
        assertThat(codec.decode(line)).containsExactly(update);
    }

    @Property(tries = 300)
    void aDigestIsWrittenAsAJsonPGeneratorWritesItAndReadsBackUnchanged(
            @ForAll("ids") String id, @ForAll("ids") String source) throws Exception {
        Digest digest = new Digest(id, Map.of(source, 1389028939485.001));

        String line = codec.encode(digest);

        assertThat(line).isEqualTo(generated(json -> json.writeStartObject().write("id", id)
                .writeStartObject("clock").write(source, new BigDecimal("1389028939485.001")).writeEnd().writeEnd()));
        assertThat(codec.decode(line)).containsExactly(digest);
    }

    /**
     * A number, in whatever valid JSON syntax, goes back out as written: through the codec, the
     * model (its value and its history, as a joiner gets it) and the forward to other sessions.
     * So does the update's timestamp.
     */
    @Property(tries = 500)
    void numbersInAnyValidSyntaxComeBackByteForByte(@ForAll("valuesWithNumbers") String value,
                                                    @ForAll("timestamps") String ts) throws Exception {
        String line = "[[\"k\"," + value + "]," + ts + ",\"s\"]\n";
        FakeClock clock = new FakeClock(Fixtures.NOW);
        ExpiryModel model = new ExpiryModel(ExpiryModel.Limits.DEFAULTS, clock);
        ScuttlebuttNamespace namespace = new ScuttlebuttNamespace("server", model, codec, clock::millis, Integer.MAX_VALUE);
        Connection writer = join(namespace, clock, new FakeTransport(true));
        FakeTransport reader = new FakeTransport(true);
        join(namespace, clock, reader);

        List<ProtocolValue> decoded = codec.decode(line);
        namespace.receive(writer, decoded);

        assertThat(codec.encode(decoded.get(0))).isEqualTo(line);
        assertThat(reader.sentTexts()).last().isEqualTo(line);
        assertThat(model.get("k")).hasValueSatisfying(held -> assertThat(held.toString()).isEqualTo(value));
        assertThat(new EncodedHistory(model, codec).whole()).containsExactly(line + ScuttlebuttCodec.SYNC_LINE);
        assertThat(model.retainedBytes()).isEqualTo(ExpiryModel.estimatedSize((Update) decoded.get(0)));
        if (!value.startsWith("[") && !value.startsWith("{") && !value.startsWith("\"")) {
            // a bare number is counted as the text it was written as
            assertThat(model.retainedBytes()).isEqualTo(ExpiryModel.RECORD_OVERHEAD + 2 + value.length());
        }
    }

    /** A session that has sent its digest and "SYNC", so it is forwarded every later update. */
    private Connection join(ScuttlebuttNamespace namespace, FakeClock clock, FakeTransport transport) throws Exception {
        Connection connection = new Connection("c", transport, new Connection.Limits(1 << 20, 1_000, 1 << 24),
                Runnable::run, clock::millis);
        namespace.join(connection);
        namespace.receive(connection, codec.decode("{\"id\":\"peer\",\"clock\":{}}\n\"SYNC\"\n"));
        return connection;
    }

    /** JSON numbers in every syntax JSON allows: signs, zeros, fractions, exponents of either case and any sign. */
    @Provide
    Arbitrary<String> numbers() {
        Arbitrary<String> digits = Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(30);
        Arbitrary<String> integer = Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.just("0")),
                Tuple.of(4, Combinators.combine(Arbitraries.chars().range('1', '9'), digits.injectNull(0.3))
                        .as((first, rest) -> first + (rest == null ? "" : rest))),
                Tuple.of(1, Arbitraries.strings().numeric().ofLength(400).map(rest -> "7" + rest)));
        Arbitrary<String> fraction = digits.map(d -> "." + d).injectNull(0.5).map(f -> f == null ? "" : f);
        Arbitrary<String> exponent = Combinators.combine(Arbitraries.of("e", "E"), Arbitraries.of("", "+", "-"),
                        Arbitraries.oneOf(Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(4), Arbitraries.of("400", "9999999999", "0009")))
                .as((e, sign, power) -> e + sign + power).injectNull(0.5).map(e -> e == null ? "" : e);
        Arbitrary<String> written = Combinators.combine(Arbitraries.of("", "-"), integer, fraction, exponent)
                .as((sign, whole, part, power) -> sign + whole + part + power);
        return Arbitraries.oneOf(written, Arbitraries.of("-0", "-0.0", "1e400", "1E+400", "9007199254740993",
                "-0.0e-0", "1e9999999999", "4.9e-324", "2.2250738585072014E-308", "1.7976931348623157e308"));
    }

    /**
     * Compact JSON text with numbers anywhere: alone, in arrays, in objects (members sorted, as the
     * model holds a merged object's fields).
     */
    @Provide
    Arbitrary<String> valuesWithNumbers() {
        Arbitrary<String> leaves = Arbitraries.oneOf(numbers(), numbers(),
                texts().map(text -> JSON.createValue(text).toString()));
        return Arbitraries.recursive(() -> leaves, this::containing, 0, 3);
    }

    private Arbitrary<String> containing(Arbitrary<String> elements) {
        return Arbitraries.oneOf(
                elements.list().ofMaxSize(3).map(list -> "[" + String.join(",", list) + "]"),
                Arbitraries.maps(texts(), elements).ofMaxSize(3).map(members -> {
                    StringBuilder object = new StringBuilder("{");
                    new TreeMap<>(members).forEach((name, member) -> object.append(object.length() > 1 ? "," : "")
                            .append(JSON.createValue(name)).append(':').append(member));
                    return object.append('}').toString();
                }));
    }

    /** Timestamps within the model's day, written plainly, with trailing zeros, or with an exponent. */
    @Provide
    Arbitrary<String> timestamps() {
        Arbitrary<BigDecimal> millis = Arbitraries.longs().between(Fixtures.NOW - 3_600_000, Fixtures.NOW + 3_600_000)
                .map(BigDecimal::valueOf);
        return Combinators.combine(millis, Arbitraries.integers().between(-3, 14), Arbitraries.of("e", "E", "e+", "E+"),
                        Arbitraries.integers().between(0, 3))
                .as((ms, power, e, zeros) -> {
                    String mantissa = ms.movePointLeft(power).toPlainString();
                    String padded = mantissa + (mantissa.contains(".") ? "0".repeat(zeros) : "");
                    if (power == 0) {
                        return padded;
                    }
                    return power < 0 ? padded + e.charAt(0) + power : padded + e + power;
                });
    }

    @Provide
    Arbitrary<String> texts() {
        // Every ASCII character, the control characters among them, and some beyond ASCII.
        return Arbitraries.strings().withCharRange('\u0000', '\u007f').withChars("é€\u2028\u00a0😀")
                .ofMaxLength(12);
    }

    /** Replica and source ids: texts of at least one character. */
    @Provide
    Arbitrary<String> ids() {
        return texts().filter(text -> !text.isEmpty());
    }

    @Provide
    Arbitrary<JsonValue> values() {
        return Arbitraries.lazyOf(
                () -> texts().map(Json::createValue),
                () -> Arbitraries.of(JsonValue.NULL, JsonValue.TRUE, JsonValue.FALSE),
                () -> Arbitraries.integers().map(Json::createValue),
                () -> Arbitraries.bigDecimals().ofScale(3).map(Json::createValue),
                () -> values().list().ofMaxSize(3).map(ScuttlebuttCodecPropertiesTest::array),
                () -> Arbitraries.maps(texts(), values()).ofMaxSize(3).map(ScuttlebuttCodecPropertiesTest::object));
    }

    private static JsonValue array(List<JsonValue> elements) {
        JsonArrayBuilder array = Json.createArrayBuilder();
        elements.forEach(array::add);
        return array.build();
    }

    private static JsonValue object(Map<String, JsonValue> members) {
        JsonObjectBuilder object = Json.createObjectBuilder();
        members.forEach(object::add);
        return object.build();
    }

    private static String generated(java.util.function.Consumer<JsonGenerator> write) {
        StringWriter text = new StringWriter();
        try (JsonGenerator json = Json.createGenerator(text)) {
            write.accept(json);
        }
        return text.append('\n').toString();
    }
}
