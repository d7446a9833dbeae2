package co.signalchannel.json;

import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonBuilderFactory;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;
import jakarta.json.stream.JsonParser;
import jakarta.json.stream.JsonParserFactory;
import jakarta.json.stream.JsonParsingException;

import java.io.StringReader;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;

/**
 * Reads one JSON text a client sent (a scuttlebutt line, a relay header) into JSON-P values.
 *
 * <ul>
 *   <li>Nesting is bounded: an array or object opened more than {@code maxDepth} deep stops the
 *       reading with a {@link JsonTooDeepException}. The bound is checked here, as the events
 *       come, not left to the JSON-P implementation, whose own limit (if any) differs between
 *       implementations and versions and is reported as a bare {@link RuntimeException}.</li>
 *   <li>Every number is a {@link VerbatimNumber}: kept as written, never converted while reading,
 *       so no exponent or length of digits can make reading slow or fail.</li>
 *   <li>Whatever the parser refuses is an {@link InvalidJsonException}; nothing a client writes
 *       ends in any other exception.</li>
 * </ul>
 *
 * Values are built without recursion, so even input far deeper than the limit costs no stack.
 * Thread-safe; one instance serves every session.
 */
public final class JsonTextReader {

    private final int maxDepth;
    private final JsonProvider json = JsonProvider.provider();
    private final JsonParserFactory parsers = json.createParserFactory(Map.of());
    private final JsonBuilderFactory builders = json.createBuilderFactory(Map.of());

    /** @param maxDepth the deepest nesting of arrays and objects taken; a top-level array is 1 */
    public JsonTextReader(int maxDepth) {
        if (maxDepth <= 0) {
            throw new IllegalArgumentException("maxDepth must be positive, got " + maxDepth);
        }
        this.maxDepth = maxDepth;
    }

    public int maxDepth() {
        return maxDepth;
    }

    /**
     * The one JSON value {@code text} holds, surrounding whitespace allowed.
     *
     * @throws JsonTooDeepException when arrays and objects nest more than {@code maxDepth} deep
     * @throws InvalidJsonException when {@code text} is not one JSON value
     */
    public JsonValue read(String text) throws InvalidJsonException {
        try (JsonParser parser = parsers.createParser(new StringReader(text))) {
            JsonValue value = readValue(parser);
            if (hasNext(parser)) {
                throw new InvalidJsonException("not JSON: text after the value");
            }
            return value;
        }
    }

    private JsonValue readValue(JsonParser parser) throws InvalidJsonException {
        Deque<Container> open = new ArrayDeque<>();
        while (true) {
            JsonValue value;
            switch (next(parser)) {
                case START_ARRAY -> {
                    enter(open, new ArrayBeingRead(builders.createArrayBuilder()));
                    continue;
                }
                case START_OBJECT -> {
                    enter(open, new ObjectBeingRead(builders.createObjectBuilder()));
                    continue;
                }
                case KEY_NAME -> {
                    ((ObjectBeingRead) open.peek()).key = parser.getString();
                    continue;
                }
                case END_ARRAY, END_OBJECT -> value = open.pop().build();
                case VALUE_STRING -> value = json.createValue(parser.getString());
                case VALUE_NUMBER -> value = new VerbatimNumber(parser.getString());
                case VALUE_TRUE -> value = JsonValue.TRUE;
                case VALUE_FALSE -> value = JsonValue.FALSE;
                case VALUE_NULL -> value = JsonValue.NULL;
                default -> throw new InvalidJsonException("not JSON");
            }
            if (open.isEmpty()) {
                return value;
            }
            open.peek().add(value);
        }
    }

    private void enter(Deque<Container> open, Container container) throws JsonTooDeepException {
        if (open.size() == maxDepth) {
            throw new JsonTooDeepException(maxDepth);
        }
        open.push(container);
    }

    private static JsonParser.Event next(JsonParser parser) throws InvalidJsonException {
        try {
            return parser.next();
        } catch (JsonParsingException e) {
            throw InvalidJsonException.at(e.getLocation());
        } catch (RuntimeException e) {
            // JsonException, NoSuchElementException at the end of the text, or a limit of the
            // implementation's own (Parsson's depth limit throws a bare RuntimeException).
            throw new InvalidJsonException("not JSON");
        }
    }

    private static boolean hasNext(JsonParser parser) throws InvalidJsonException {
        try {
            return parser.hasNext();
        } catch (JsonParsingException e) {
            throw InvalidJsonException.at(e.getLocation());
        } catch (RuntimeException e) {
            throw new InvalidJsonException("not JSON");
        }
    }

    /** An array or object being read. */
    private interface Container {
        void add(JsonValue value);

        JsonValue build();
    }

    private record ArrayBeingRead(JsonArrayBuilder builder) implements Container {
        @Override
        public void add(JsonValue value) {
            builder.add(value);
        }

        @Override
        public JsonValue build() {
            return builder.build();
        }
    }

    private static final class ObjectBeingRead implements Container {
        private final JsonObjectBuilder builder;
        private String key;

        ObjectBeingRead(JsonObjectBuilder builder) {
            this.builder = builder;
        }

        @Override
        public void add(JsonValue value) {
            builder.add(key, value);
        }

        @Override
        public JsonValue build() {
            return builder.build();
        }
    }
}
