package co.signalchannel.scuttlebutt;

import jakarta.json.Json;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;

import java.io.StringReader;

/** Shorthands for building updates and JSON in tests. */
final class Fixtures {

    /** "Now" for every fake clock: 2023-11-14T22:13:20Z. */
    static final long NOW = 1_700_000_000_000L;

    private Fixtures() {
    }

    static JsonValue json(String text) {
        try (JsonReader reader = Json.createReader(new StringReader(text))) {
            return reader.readValue();
        }
    }

    /** A write of {@code jsonValue} to {@code key}, {@code ms} milliseconds after {@link #NOW}. */
    static Update write(String key, String jsonValue, double ms, String source) {
        return new Update(key, json(jsonValue), NOW + ms, source);
    }

    /** The update {@code line} carries, as the server reads it off the wire. */
    static Update decoded(String line) {
        try {
            return (Update) new ScuttlebuttCodec(ScuttlebuttCodec.Limits.DEFAULTS).decode(line).get(0);
        } catch (MalformedMessageException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
