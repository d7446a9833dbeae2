package co.signalchannel.scuttlebutt;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

import java.io.StringReader;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * A Java twin of the npm {@code scuttlebutt} package's {@code Model} and one stream of
 * {@code createStream()} (index.js, model.js, util.js of dominictarr/scuttlebutt), written
 * independently of the production model so it can check the server against the original protocol.
 *
 * <p>It does what the npm code does, quirks included:
 * <ul>
 *   <li>a plain last-writer-wins map per key, no object merge; an incoming update loses only to a
 *       stored one with a strictly greater timestamp, so on a timestamp tie the later arrival
 *       wins;</li>
 *   <li>an update whose timestamp is not greater than the newest already seen from its source is
 *       dropped ("old_data"), before the key is even looked at;</li>
 *   <li>a deleted key keeps its {@code null} record, which serves as its tombstone;</li>
 *   <li>local writes are stamped like {@code monotonic-timestamp}: epoch milliseconds, plus a
 *       fraction {@code n / (n + 1000)} for the n-th extra write in the same millisecond;</li>
 *   <li>from the moment the stream opens, every applied update — local, or received from the peer
 *       — is sent unless the peer's clock (empty until its digest arrives, then the digest's
 *       clock) says it has it, so updates received from the peer are echoed back to it when its
 *       digest was older;</li>
 *   <li>a digest (also a repeated one) replaces the peer's clock and is answered with the history
 *       the peer lacks, oldest first, then {@code "SYNC"}.</li>
 * </ul>
 * Lines it returns end with {@code \n}; send each as its own text message, as npm over a WebSocket
 * stream does. Not thread-safe.
 */
public final class ScuttlebuttTwin {

    private static final String SYNC = "SYNC";

    private final String id;
    private final LongSupplier millis;
    /** npm's {@code Scuttlebutt.sources}: newest timestamp seen per source. */
    private final Map<String, Double> sources = new HashMap<>();
    /** npm's {@code Model.store}: the newest update per key, as {@code [[key, value], ts, source]}. */
    private final Map<String, JsonArray> store = new LinkedHashMap<>();

    private boolean streamOpen;
    private Map<String, Double> peerSources = new HashMap<>();
    private boolean syncSent;
    private boolean syncReceived;

    private long lastMillis;
    private int sameMillisCount;
    private double lastTimestamp;

    public ScuttlebuttTwin(String id) {
        this(id, System::currentTimeMillis);
    }

    /** @param millis the wall clock, epoch milliseconds; tests pass a fake one */
    public ScuttlebuttTwin(String id, LongSupplier millis) {
        this.id = id;
        this.millis = millis;
    }

    /** {@code model.set(key, value)}; {@link JsonValue#NULL} deletes. Returns the lines to send now. */
    public List<String> set(String key, JsonValue value) {
        List<String> out = new ArrayList<>();
        update(Json.createArrayBuilder()
                .add(Json.createArrayBuilder().add(key).add(value))
                .add(jsNumber(timestamp()))
                .add(id)
                .build(), out);
        return out;
    }

    /** The key's value; empty when unknown or deleted (npm returns undefined or null). */
    public Optional<JsonValue> get(String key) {
        JsonArray update = store.get(key);
        if (update == null) {
            return Optional.empty();
        }
        JsonValue value = update.getJsonArray(0).get(1);
        return value.getValueType() == JsonValue.ValueType.NULL ? Optional.empty() : Optional.of(value);
    }

    /** {@code model.toJSON()}: every key whose value is not null. */
    public JsonObject toJson() {
        JsonObjectBuilder json = Json.createObjectBuilder();
        store.forEach((key, update) -> {
            JsonValue value = update.getJsonArray(0).get(1);
            if (value.getValueType() != JsonValue.ValueType.NULL) {
                json.add(key, value);
            }
        });
        return json.build();
    }

    /** The stream opened (a new connection); returns our digest line. */
    public List<String> onOpen() {
        streamOpen = true;
        peerSources = new HashMap<>();
        syncSent = false;
        syncReceived = false;
        JsonObjectBuilder clock = Json.createObjectBuilder();
        sources.forEach((source, ts) -> clock.add(source, jsNumber(ts)));
        return List.of(line(Json.createObjectBuilder().add("id", id).add("clock", clock).build()));
    }

    /** The stream closed; local writes are kept and sent on the next {@link #onOpen()}'s exchange. */
    public void onClose() {
        streamOpen = false;
    }

    /** Handles one received text message; returns the lines to send in reply. */
    public List<String> onMessage(String text) {
        List<String> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            JsonValue data;
            try (JsonReader reader = Json.createReader(new StringReader(line))) {
                data = reader.readValue();
            }
            if (data instanceof JsonArray update) {
                if (isValid(update)) {
                    update(update, out);
                }
            } else if (data instanceof JsonObject digest) {
                start(digest, out);
            } else if (data instanceof JsonString marker && SYNC.equals(marker.getString())) {
                syncReceived = true;
            }
        }
        return out;
    }

    /** npm's "synced": history sent and received both ways. */
    public boolean synced() {
        return syncSent && syncReceived;
    }

    private void start(JsonObject digest, List<String> out) {
        peerSources = new HashMap<>();
        digest.getJsonObject("clock").forEach((source, ts) -> peerSources.put(source, ((JsonNumber) ts).doubleValue()));
        store.values().stream()
                .filter(update -> isRecent(update, peerSources))
                .sorted(Comparator.<JsonArray>comparingDouble(ScuttlebuttTwin::ts).thenComparing(ScuttlebuttTwin::source))
                .forEach(update -> out.add(line(update)));
        out.add(line(Json.createValue(SYNC)));
        syncSent = true;
    }

    /** {@code Scuttlebutt._update} then {@code Model.applyUpdate}, then the stream's onUpdate. */
    private void update(JsonArray update, List<String> out) {
        Double latest = sources.get(source(update));
        if (latest != null && latest != 0 && latest >= ts(update)) {
            return;
        }
        sources.put(source(update), ts(update));
        String key = update.getJsonArray(0).getString(0);
        JsonArray stored = store.get(key);
        if (stored != null && ts(stored) > ts(update)) {
            return;
        }
        store.put(key, update);
        if (streamOpen && isRecent(update, peerSources)) {
            out.add(line(update));
            peerSources.put(source(update), ts(update));
        }
    }

    /** {@code util.filter}: the peer lacks it. */
    private static boolean isRecent(JsonArray update, Map<String, Double> peer) {
        Double known = peer.get(source(update));
        return known == null || known == 0 || known < ts(update);
    }

    /** index.js {@code validate}: only the timestamp and source are checked. */
    private static boolean isValid(JsonArray update) {
        return update.size() >= 3
                && update.get(1) instanceof JsonNumber
                && update.get(2) instanceof JsonString source
                && !"__proto__".equals(source.getString());
    }

    private double timestamp() {
        long now = millis.getAsLong();
        double stamp = now;
        if (now == lastMillis) {
            do {
                sameMillisCount++;
                stamp = now + sameMillisCount / (sameMillisCount + 1000.0);
            } while (stamp == lastTimestamp);
        } else {
            sameMillisCount = 0;
        }
        lastMillis = now;
        lastTimestamp = stamp;
        return stamp;
    }

    private static double ts(JsonArray update) {
        return update.getJsonNumber(1).doubleValue();
    }

    private static String source(JsonArray update) {
        return update.getString(2);
    }

    /** A double as JSON.stringify writes it: no exponent, no trailing ".0". */
    private static BigDecimal jsNumber(double value) {
        BigDecimal number = new BigDecimal(Double.toString(value)).stripTrailingZeros();
        return number.scale() < 0 ? number.setScale(0) : number;
    }

    private static String line(JsonValue value) {
        return value + "\n";
    }
}
