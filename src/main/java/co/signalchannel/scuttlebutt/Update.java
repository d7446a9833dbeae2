package co.signalchannel.scuttlebutt;

import co.signalchannel.json.VerbatimNumber;
import jakarta.json.JsonValue;

import java.util.Comparator;
import java.util.Objects;

/**
 * One write, {@code [[key, value], ts, source]} on the wire.
 *
 * <p>{@code ts} is kept as the double a JavaScript peer holds: milliseconds since the epoch, with a
 * fraction when the source made several writes in one millisecond (the {@code monotonic-timestamp}
 * package gives {@code 1389028939485.001}). Writes are ordered by it. It goes back out as
 * {@code tsAsWritten}: the text it was received as, or, for an update made here, the shortest
 * decimal that reads as the same double, as {@code JSON.stringify} writes it ({@code 1700000000000},
 * not {@code 1.7E12}). Numbers in {@code value} read off the wire keep their text the same way
 * (they are {@link VerbatimNumber}s).
 *
 * @param key         the key written
 * @param value       the value written; {@link JsonValue#NULL} deletes the key
 * @param ts          when the source made the write; unique and increasing per source
 * @param source      the id of the replica that made the write
 * @param tsAsWritten {@code ts} as JSON text, e.g. {@code 1.7e12}; it must read as {@code ts}. Null
 *                    for the shortest decimal
 */
public record Update(String key, JsonValue value, double ts, String source, String tsAsWritten)
        implements ProtocolValue {

    /**
     * The order in which writes take effect: by timestamp, ties broken by source id ({@link
     * String#compareTo}, the order JavaScript's {@code <} gives). Two writes of one source never
     * share a timestamp, so this is total on the updates of a well-behaved set of replicas.
     */
    public static final Comparator<Update> WRITE_ORDER =
            Comparator.comparingDouble(Update::ts).thenComparing(Update::source);

    public Update {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(source, "source");
        if (!Double.isFinite(ts)) {
            throw new IllegalArgumentException("ts must be finite, got " + ts);
        }
        if (tsAsWritten == null) {
            tsAsWritten = Timestamps.toJsonNumber(ts).toString();
        } else if (!VerbatimNumber.isJsonNumber(tsAsWritten) || Double.parseDouble(tsAsWritten) != ts) {
            throw new IllegalArgumentException("ts is " + ts + " but written as " + tsAsWritten);
        }
    }

    /** A write made here, or in a test: its timestamp is written as the shortest decimal. */
    public Update(String key, JsonValue value, double ts, String source) {
        this(key, value, ts, source, null);
    }

    /** Whether this write deletes its key. */
    public boolean isDelete() {
        return value.getValueType() == JsonValue.ValueType.NULL;
    }

    /** Whether this write takes effect after {@code other} in {@link #WRITE_ORDER}. */
    public boolean isNewerThan(Update other) {
        return WRITE_ORDER.compare(this, other) > 0;
    }
}
