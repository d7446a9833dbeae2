package co.signalchannel.scuttlebutt;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import jakarta.json.stream.JsonGenerator;

import java.io.StringWriter;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The codec writes lines by hand, for speed; they must be what a JSON-P generator writes. */
class ScuttlebuttCodecPropertiesTest {

    private final ScuttlebuttCodec codec = new ScuttlebuttCodec(new ScuttlebuttCodec.Limits(1 << 20, 1 << 20, 1 << 20, 10));

    @Property(tries = 1000)
    void anUpdateIsWrittenAsAJsonPGeneratorWritesItAndReadsBackUnchanged(
            @ForAll("texts") String key, @ForAll("values") JsonValue value, @ForAll("texts") String source) throws Exception {
        Update update = new Update(key, value, 1_700_000_000_000d, source);

        String line = codec.encode(update);

        assertThat(line).isEqualTo(generated(json -> json.writeStartArray()
                .writeStartArray().write(key).write(value).writeEnd()
                .write(new BigDecimal(1_700_000_000_000L)).write(source).writeEnd()));
        assertThat(codec.decode(line)).containsExactly(update);
    }

    @Property(tries = 300)
    void aDigestIsWrittenAsAJsonPGeneratorWritesItAndReadsBackUnchanged(
            @ForAll("texts") String id, @ForAll("texts") String source) throws Exception {
        Digest digest = new Digest(id, Map.of(source, 1389028939485.001));

        String line = codec.encode(digest);

        assertThat(line).isEqualTo(generated(json -> json.writeStartObject().write("id", id)
                .writeStartObject("clock").write(source, new BigDecimal("1389028939485.001")).writeEnd().writeEnd()));
        assertThat(codec.decode(line)).containsExactly(digest);
    }

    @Provide
    Arbitrary<String> texts() {
        // Every ASCII character, the control characters among them, and some beyond ASCII.
        return Arbitraries.strings().withCharRange('\u0000', '\u007f').withChars("é€\u2028\u00a0😀")
                .ofMaxLength(12);
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
