package co.signalchannel.scuttlebutt;

import co.signalchannel.connection.Utf8;
import co.signalchannel.json.InvalidJsonException;
import co.signalchannel.json.JsonTextReader;
import co.signalchannel.json.JsonTooDeepException;

import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes the scuttlebutt stream protocol as JSON Lines: one JSON value per
 * {@code \n}-terminated line, as the {@code scuttlebutt} npm package's stream serializer writes it.
 *
 * <ul>
 *   <li>a {@link Digest}: {@code {"id": "<id>", "clock": {"<source>": <ts>, ...}}}, {@code "meta"}
 *       ignored;</li>
 *   <li>an {@link Update}: {@code [[key, value], ts, source]}, a fourth element (a signature)
 *       ignored;</li>
 *   <li>the {@link SyncMarker}: {@code "SYNC"}.</li>
 * </ul>
 *
 * <p>Reading is strict — anything else is a {@link MalformedMessageException} naming the line and
 * the problem — and bounded by {@link Limits}, nesting depth included; nothing a client sends ends
 * in any other exception. Numbers are kept as written ({@link co.signalchannel.json.VerbatimNumber}),
 * in values and in update timestamps, and written back so: {@code -0}, {@code 1e400} and
 * {@code 1.7e12} go out as they came in. Writing always ends a value with {@code \n}, so encoded
 * values can be concatenated into one text message. Instances are immutable and thread-safe.
 */
public final class ScuttlebuttCodec {

    /**
     * Bounds on what one received message may carry.
     *
     * @param maxKeyLength        longest update key, in UTF-16 characters (default 256)
     * @param maxSourceLength     longest source id (an update's source, a digest's id and clock
     *                            sources), in UTF-16 characters (default 256); the shortest is 1
     * @param maxValueBytes       largest update value, as compact JSON in UTF-8 bytes, numbers as
     *                            written (default 16 KiB)
     * @param maxValuesPerMessage most JSON values in one text message (default 1000)
     * @param maxDepth            deepest nesting of arrays and objects in one line, the update's own
     *                            array and its {@code [key, value]} pair included (default 64)
     */
    public record Limits(int maxKeyLength, int maxSourceLength, int maxValueBytes, int maxValuesPerMessage,
                         int maxDepth) {

        public static final Limits DEFAULTS = new Limits(256, 256, 16 * 1024, 1000, 64);

        public Limits {
            requirePositive("maxKeyLength", maxKeyLength);
            requirePositive("maxSourceLength", maxSourceLength);
            requirePositive("maxValueBytes", maxValueBytes);
            requirePositive("maxValuesPerMessage", maxValuesPerMessage);
            requirePositive("maxDepth", maxDepth);
        }

        private static void requirePositive(String name, int value) {
            if (value <= 0) {
                throw new IllegalArgumentException(name + " must be positive, got " + value);
            }
        }
    }

    /** The line that carries the {@link SyncMarker}. */
    public static final String SYNC_LINE = "\"SYNC\"\n";

    /** How much of an offending value a reason quotes; close reasons must stay short. */
    private static final int QUOTE_CHARS = 32;

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final Limits limits;
    private final JsonTextReader json;

    public ScuttlebuttCodec(Limits limits) {
        this.limits = limits;
        this.json = new JsonTextReader(limits.maxDepth());
    }

    /**
     * Reads every value of one received text message, in order. Lines are separated by
     * {@code \n} (a {@code \r} before it is ignored), the last line needs no terminator, and blank
     * lines are skipped. Either every value is returned or nothing is.
     *
     * @throws MessageLimitException      when the message is well-formed but over a limit
     * @throws MalformedMessageException  when a line is not JSON or not a protocol value
     */
    public List<ProtocolValue> decode(String message) throws MalformedMessageException {
        List<ProtocolValue> values = new ArrayList<>();
        int lineNumber = 0;
        for (int start = 0; start <= message.length(); ) {
            int end = message.indexOf('\n', start);
            if (end < 0) {
                end = message.length();
            }
            lineNumber++;
            String line = message.substring(start, end > start && message.charAt(end - 1) == '\r' ? end - 1 : end);
            if (!line.isBlank()) {
                if (values.size() == limits.maxValuesPerMessage()) {
                    throw new MessageLimitException(lineNumber, "message carries more than "
                            + limits.maxValuesPerMessage() + " values, the limit");
                }
                values.add(decodeLine(line, lineNumber));
            }
            start = end + 1;
        }
        return values;
    }

    /**
     * {@code value} as one line of compact JSON, ending with {@code \n}: exactly what a JSON-P
     * generator writes, but written directly, the same on every server whatever JSON-P it ships,
     * and about a quarter faster than a generator per line (a late joiner is sent a line for every
     * record held).
     */
    public String encode(ProtocolValue value) {
        if (value == SyncMarker.SYNC) {
            return SYNC_LINE;
        }
        StringBuilder line = new StringBuilder(64);
        if (value instanceof Update update) {
            line.append("[[");
            writeString(line, update.key());
            line.append(',');
            writeValue(line, update.value());
            line.append("],").append(update.tsAsWritten()).append(',');
            writeString(line, update.source());
            line.append(']');
        } else if (value instanceof Digest digest) {
            line.append("{\"id\":");
            writeString(line, digest.id());
            line.append(",\"clock\":{");
            String separator = "";
            for (Map.Entry<String, Double> entry : digest.clock().entrySet()) {
                line.append(separator);
                writeString(line, entry.getKey());
                line.append(':').append(Timestamps.toJsonNumber(entry.getValue()));
                separator = ",";
            }
            line.append("}}");
        }
        return line.append('\n').toString();
    }

    /**
     * {@code value} as compact JSON, as {@link #encode} writes it in an update: what the value
     * limits and the model's byte accounting measure.
     */
    static StringBuilder compactJson(JsonValue value) {
        StringBuilder text = new StringBuilder();
        writeValue(text, value);
        return text;
    }

    private static void writeValue(StringBuilder out, JsonValue value) {
        if (value instanceof JsonString string) {
            writeString(out, string.getString());
        } else if (value instanceof JsonObject object) {
            out.append('{');
            String separator = "";
            for (Map.Entry<String, JsonValue> member : object.entrySet()) {
                out.append(separator);
                writeString(out, member.getKey());
                out.append(':');
                writeValue(out, member.getValue());
                separator = ",";
            }
            out.append('}');
        } else if (value instanceof JsonArray array) {
            out.append('[');
            for (int i = 0; i < array.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                writeValue(out, array.get(i));
            }
            out.append(']');
        } else {
            out.append(value); // a number (as written, if read here), true, false or null: its JSON text
        }
    }

    /** A JSON string, escaped as JSON-P escapes it: quote, backslash and control characters only. */
    private static void writeString(StringBuilder out, String text) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"', '\\' -> out.append('\\').append(c);
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xf]);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private ProtocolValue decodeLine(String line, int lineNumber) throws MalformedMessageException {
        JsonValue value;
        try {
            value = json.read(line);
        } catch (JsonTooDeepException tooDeep) {
            throw new MalformedMessageException(lineNumber, tooDeep.getMessage());
        } catch (InvalidJsonException notJson) {
            throw new MalformedMessageException(lineNumber, notJson.getMessage() + ": " + quote(line));
        }
        if (value instanceof JsonArray update) {
            return update(update, lineNumber);
        }
        if (value instanceof JsonObject digest) {
            return digest(digest, lineNumber);
        }
        if (value instanceof JsonString string && SyncMarker.SYNC.name().equals(string.getString())) {
            return SyncMarker.SYNC;
        }
        throw new MalformedMessageException(lineNumber,
                "expected a digest object, an update array or \"SYNC\", got " + quote(value));
    }

    private Update update(JsonArray update, int line) throws MalformedMessageException {
        if (update.size() != 3 && update.size() != 4) {
            throw new MalformedMessageException(line, "update must be [[key, value], ts, source], got "
                    + update.size() + " elements");
        }
        JsonValue pair = update.get(0);
        if (!(pair instanceof JsonArray keyValue) || keyValue.size() != 2) {
            throw new MalformedMessageException(line, "update must start with a [key, value] pair, got " + quote(pair));
        }
        if (!(keyValue.get(0) instanceof JsonString keyString)) {
            throw new MalformedMessageException(line, "update key must be a string, got " + quote(keyValue.get(0)));
        }
        String key = keyString.getString();
        if (key.length() > limits.maxKeyLength()) {
            throw new MessageLimitException(line, "update key is " + key.length()
                    + " characters, over the limit of " + limits.maxKeyLength());
        }
        JsonValue value = keyValue.get(1);
        int valueBytes = Utf8.length(compactJson(value));
        if (valueBytes > limits.maxValueBytes()) {
            throw new MessageLimitException(line, "update value is " + valueBytes
                    + " bytes, over the limit of " + limits.maxValueBytes());
        }
        JsonValue ts = update.get(1);
        double millis = timestamp(ts, line, "update timestamp");
        if (!(update.get(2) instanceof JsonString sourceString)) {
            throw new MalformedMessageException(line, "update source must be a string, got " + quote(update.get(2)));
        }
        String source = sourceId(sourceString.getString(), line, "update source", "a source id");
        return new Update(key, value, millis, source, ts.toString());
    }

    private Digest digest(JsonObject digest, int line) throws MalformedMessageException {
        JsonValue id = digest.get("id");
        if (!(id instanceof JsonString idString)) {
            throw new MalformedMessageException(line, id == null ? "digest has no \"id\" string"
                    : "digest \"id\" must be a string, got " + quote(id));
        }
        sourceId(idString.getString(), line, "digest \"id\"", "a replica id");
        JsonValue clock = digest.get("clock");
        if (!(clock instanceof JsonObject clockObject)) {
            throw new MalformedMessageException(line, clock == null ? "digest has no \"clock\" object"
                    : "digest \"clock\" must be an object, got " + quote(clock));
        }
        Map<String, Double> sources = new LinkedHashMap<>();
        for (Map.Entry<String, JsonValue> entry : clockObject.entrySet()) {
            sourceId(entry.getKey(), line, "digest clock source", "a source id");
            StringBuilder source = new StringBuilder();
            writeString(source, entry.getKey());
            sources.put(entry.getKey(), timestamp(entry.getValue(), line, "digest clock entry " + quote(source.toString())));
        }
        return new Digest(idString.getString(), sources);
    }

    /** {@code id}, if it is 1 to {@code maxSourceLength} characters: empty is malformed, longer over a limit. */
    private String sourceId(String id, int line, String what, String kind) throws MalformedMessageException {
        if (id.isEmpty()) {
            throw new MalformedMessageException(line, what + " is empty; " + kind + " is 1 to "
                    + limits.maxSourceLength() + " characters");
        }
        if (id.length() > limits.maxSourceLength()) {
            throw new MessageLimitException(line, what + " is " + id.length()
                    + " characters, over the limit of " + limits.maxSourceLength());
        }
        return id;
    }

    /**
     * A timestamp's value, read from its text: any JSON number is read (a double's worth of it)
     * without ever being expanded, so a huge exponent or a long run of digits costs no more than
     * its length.
     */
    private static double timestamp(JsonValue value, int line, String what) throws MalformedMessageException {
        if (!(value instanceof JsonNumber number)) {
            throw new MalformedMessageException(line, what + " must be a number, got " + quote(value));
        }
        double ts = Double.parseDouble(number.toString());
        if (!Double.isFinite(ts)) {
            throw new MalformedMessageException(line, what + " must be a finite number, got " + quote(value));
        }
        return ts;
    }

    private static String quote(JsonValue value) {
        return quote(compactJson(value).toString());
    }

    private static String quote(String text) {
        if (text.codePointCount(0, text.length()) <= QUOTE_CHARS) {
            return text;
        }
        return text.substring(0, text.offsetByCodePoints(0, QUOTE_CHARS)) + "…";
    }
}
