package co.signalchannel.scuttlebutt;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonBuilderFactory;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonStructure;
import jakarta.json.JsonValue;

import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One namespace's replicated, expiring key/value store: the "expiry model" of the scuttlebutt
 * endpoint.
 *
 * <h2>Semantics</h2>
 * A key's value is the fold of the writes it has seen in {@link Update#WRITE_ORDER} (timestamp,
 * then source): the last writer wins, except that an object written over an object merges into it
 * field by field, each field keeping its newest write. A {@code null} write deletes the key and
 * leaves a tombstone, so an older write that arrives late cannot bring it back. Because the value
 * is defined by the set of writes and not by their arrival order, replicas that saw the same
 * updates hold the same state, and {@link #history} re-sends exactly the records that reproduce
 * it (see {@link KeyHistory} for which records are kept).
 *
 * <p>{@link #clock()} maps each source to the newest timestamp of a record held from it. Peers
 * read an entry {@code source -> ts} as "has everything from {@code source} up to {@code ts}",
 * which holds as long as each source's updates reach this model in order — the assumption the
 * scuttlebutt protocol is built on. A clock entry lower than the truth only costs re-sent
 * updates, which {@link #apply} rejects.
 *
 * <h2>Expiry and bounds</h2>
 * <ul>
 *   <li>A record whose timestamp is more than {@link Limits#maxAge() maxAge} old is purged, never
 *       reported and never sent again; an update already that old is refused. Fields of a merged
 *       object expire with the write that set them.</li>
 *   <li>At most {@link Limits#maxKeys() maxKeys} live keys: beyond that the least recently updated
 *       key — the one whose newest write is oldest in write order, the same key on every replica —
 *       is evicted.</li>
 *   <li>At most {@link Limits#maxTombstones() maxTombstones} deleted keys are remembered; beyond
 *       that the oldest tombstone is evicted.</li>
 *   <li>A merged object holds at most {@link Limits#maxFieldsPerKey() maxFieldsPerKey} fields; a
 *       patch that would add more is refused.</li>
 *   <li>The records held are estimated at the heap they take ({@link #estimatedSize}: their
 *       JSON text, plus {@value #RECORD_OVERHEAD} bytes each and more for the objects and arrays
 *       in their values); beyond {@link Limits#maxRetainedBytes() maxRetainedBytes} the least
 *       recently updated key, live or deleted, is evicted.</li>
 *   <li>Given a {@link ByteBudget} shared by the server's models, the same estimate counts
 *       against it too, kept up to date as records come and go: a write that would make the model
 *       grow by more than the budget has left is refused with {@link BudgetExceededException}
 *       and changes nothing. A write that replaces records without growing the model, or whose
 *       growth the model's own byte bound takes back at once, needs no room.</li>
 * </ul>
 * Together these bound memory under any stream of updates: at most {@code maxKeys} live keys of
 * at most {@code maxFieldsPerKey + 2} records each (the newest non-object write, one patch per
 * field, a trailing empty object), plus {@code maxTombstones} records, all within
 * {@code maxRetainedBytes}; a source appears in the clock only while one of its records is held,
 * so sources are bounded by records.
 *
 * <p>Eviction forgets: to keep an evicted record from coming back when a peer re-sends it, every
 * update not newer (in write order) than the newest write of any key evicted so far is refused
 * until that write itself is older than {@code maxAge}. Convergence is therefore exact while no
 * bound is reached and best-effort once eviction or the field limit has refused or dropped
 * something, since which updates those affect can depend on arrival order.
 *
 * <p>The model assumes that a {@code (ts, source)} pair identifies one write of one key: a second
 * update with the same key, timestamp and source is refused as already seen, whatever its value.
 *
 * <h2>Threads</h2>
 * Not thread-safe: every method, reads included (they purge expired records), must be called under
 * one lock per model — the namespace's.
 */
public final class ExpiryModel {

    /**
     * The bounds of one model.
     *
     * @param maxAge           how long a record lives after its timestamp (default 1 day)
     * @param maxKeys          most live keys (default 500)
     * @param maxTombstones    most deleted keys remembered (default 1000)
     * @param maxFieldsPerKey  most fields of a merged object value (default 64)
     * @param maxRetainedBytes estimated size of all records held (default 4 MiB)
     */
    public record Limits(Duration maxAge, int maxKeys, int maxTombstones, int maxFieldsPerKey, long maxRetainedBytes) {

        public static final Limits DEFAULTS = new Limits(Duration.ofDays(1), 500, 1000, 64, 4L * 1024 * 1024);

        public Limits {
            if (maxAge.isNegative() || maxAge.isZero()) {
                throw new IllegalArgumentException("maxAge must be positive, got " + maxAge);
            }
            if (maxKeys <= 0 || maxTombstones <= 0 || maxFieldsPerKey <= 0 || maxRetainedBytes <= 0) {
                throw new IllegalArgumentException("limits must be positive, got " + maxKeys + " keys, "
                        + maxTombstones + " tombstones, " + maxFieldsPerKey + " fields, " + maxRetainedBytes + " bytes");
            }
        }

        public Limits withMaxAge(Duration maxAge) {
            return new Limits(maxAge, maxKeys, maxTombstones, maxFieldsPerKey, maxRetainedBytes);
        }

        public Limits withMaxKeys(int maxKeys) {
            return new Limits(maxAge, maxKeys, maxTombstones, maxFieldsPerKey, maxRetainedBytes);
        }

        public Limits withMaxTombstones(int maxTombstones) {
            return new Limits(maxAge, maxKeys, maxTombstones, maxFieldsPerKey, maxRetainedBytes);
        }

        public Limits withMaxFieldsPerKey(int maxFieldsPerKey) {
            return new Limits(maxAge, maxKeys, maxTombstones, maxFieldsPerKey, maxRetainedBytes);
        }

        public Limits withMaxRetainedBytes(long maxRetainedBytes) {
            return new Limits(maxAge, maxKeys, maxTombstones, maxFieldsPerKey, maxRetainedBytes);
        }
    }

    /**
     * Bytes a held record is estimated to cost besides its text: the update, its key and source
     * strings, its place in the model's indexes. Measured on a 64-bit JVM with compressed pointers
     * and Parsson's JSON values, as are the other overheads, so that the estimate follows the heap
     * the records take whatever their shape (a kilobyte string or a thousand tiny numbers).
     */
    public static final int RECORD_OVERHEAD = 384;
    /** Bytes an object or array, anywhere in a value, is estimated to cost besides its contents. */
    public static final int CONTAINER_OVERHEAD = 128;
    /** Bytes each member of an object is estimated to cost besides its name's and its value's text. */
    public static final int MEMBER_OVERHEAD = 160;
    /** Bytes each element of an array is estimated to cost besides its value's text. */
    public static final int ELEMENT_OVERHEAD = 32;

    /** Write order, then key: unique for every record held, and the order history is sent in. */
    private static final Comparator<Update> HISTORY_ORDER = Update.WRITE_ORDER.thenComparing(Update::key);
    private static final Comparator<KeyHistory> RECENCY =
            Comparator.comparing(KeyHistory::newestWrite, Update.WRITE_ORDER).thenComparing(KeyHistory::key);

    private final Limits limits;
    private final InstantSource clock;
    /** The server-wide budget this model's bytes count against, or null. */
    private final ByteBudget budget;
    private final JsonBuilderFactory json = Json.createBuilderFactory(Map.of());

    private final Map<String, KeyHistory> keys = new HashMap<>();
    /** Every record held, with its estimated size. */
    private final NavigableMap<Update, Integer> records = new TreeMap<>(HISTORY_ORDER);
    private final Map<String, NavigableSet<Update>> recordsBySource = new HashMap<>();
    private final NavigableSet<KeyHistory> liveByRecency = new TreeSet<>(RECENCY);
    private final NavigableSet<KeyHistory> tombstonesByRecency = new TreeSet<>(RECENCY);
    private long retainedBytes;
    /** The bytes this model has counted in {@link #budget}: {@code retainedBytes} once an operation ends. */
    private long counted;
    /** Counts changes to the records held, so that what is derived from them can tell it is stale. */
    private long version;
    /** The newest write of any key evicted and not yet expired; nothing up to it is accepted. */
    private Update evictionHorizon;
    /** The last record {@link #sizeOf} estimated, and its size: apply needs a write's size twice. */
    private Update sized;
    private int sizedBytes;

    /**
     * @param limits the bounds, see {@link Limits#DEFAULTS}
     * @param clock  the time source for expiry; tests pass a fake one
     */
    public ExpiryModel(Limits limits, InstantSource clock) {
        this(limits, clock, null);
    }

    /**
     * A model whose retained bytes also count against {@code budget}, shared with the server's other
     * models: {@link #apply} refuses growth the budget has no room for.
     */
    public ExpiryModel(Limits limits, InstantSource clock, ByteBudget budget) {
        this.limits = limits;
        this.clock = clock;
        this.budget = budget;
    }

    public Limits limits() {
        return limits;
    }

    /**
     * Folds {@code update} into the model.
     *
     * @return {@code true} when the update is new information that the model now holds, so it must
     *         be passed on to the other sessions; {@code false} when it is refused: already seen,
     *         older than what decides its key, older than {@code maxAge}, not newer than an
     *         evicted write, over the field limit, or evicted at once as the least recently updated
     *         key
     * @throws BudgetExceededException when the model's growth does not fit in the server-wide
     *         budget it was given; the model is unchanged
     */
    public boolean apply(Update update) {
        double cutoff = purgeExpiredAt(clock.millis());
        if (update.ts() < cutoff || (evictionHorizon != null && !update.isNewerThan(evictionHorizon))) {
            return false;
        }
        KeyHistory before = keys.getOrDefault(update.key(), KeyHistory.empty(update.key()));
        Optional<KeyHistory> after = before.with(update, limits.maxFieldsPerKey());
        if (after.isEmpty()) {
            return false;
        }
        if (budget != null) {
            take(growth(before, after.get()));
        }
        replace(before, after.get());
        evictBeyondLimits();
        settle();
        return records.containsKey(update);
    }

    /**
     * Every record held that a peer with {@code peerClock} lacks — those whose source it does not
     * know or whose timestamp is newer than its entry — in write order, so oldest first per source.
     * Never includes an expired or evicted record.
     */
    public List<Update> history(Map<String, Double> peerClock) {
        purgeExpired();
        List<Update> lacking = new ArrayList<>();
        for (Update record : records.keySet()) {
            Double known = peerClock.get(record.source());
            if (known == null || record.ts() > known) {
                lacking.add(record);
            }
        }
        return lacking;
    }

    /**
     * A number that changes whenever the records held change (an update accepted, a record
     * superseded, expired or evicted): two calls that return the same number saw the same history.
     */
    public long version() {
        purgeExpired();
        return version;
    }

    /** Each source with a record held, and the newest timestamp held from it; sorted by source. */
    public Map<String, Double> clock() {
        purgeExpired();
        Map<String, Double> clock = new TreeMap<>();
        recordsBySource.forEach((source, held) -> clock.put(source, held.last().ts()));
        return Collections.unmodifiableMap(clock);
    }

    /** The value of a live key; empty when the key is deleted, expired, evicted or unknown. */
    public Optional<JsonValue> get(String key) {
        purgeExpired();
        KeyHistory history = keys.get(key);
        return history != null && history.isLive() ? Optional.of(history.value(json)) : Optional.empty();
    }

    /** Every live key and its value, keys sorted. */
    public JsonObject toJson() {
        purgeExpired();
        JsonObjectBuilder state = json.createObjectBuilder();
        new TreeMap<>(keys).forEach((key, history) -> {
            if (history.isLive()) {
                state.add(key, history.value(json));
            }
        });
        return state.build();
    }

    public int liveKeys() {
        purgeExpired();
        return liveByRecency.size();
    }

    public int tombstones() {
        purgeExpired();
        return tombstonesByRecency.size();
    }

    /** How many records (updates) are held, tombstones included. */
    public int retainedRecords() {
        purgeExpired();
        return records.size();
    }

    /** The estimated size of the records held, as bounded by {@link Limits#maxRetainedBytes()}. */
    public long retainedBytes() {
        purgeExpired();
        return retainedBytes;
    }

    /** Whether the model holds nothing: no live key and no tombstone. */
    public boolean isEmpty() {
        purgeExpired();
        return keys.isEmpty();
    }

    /**
     * Forgets every record and every eviction, giving their bytes back to the budget: for a
     * namespace that is being dropped whole.
     */
    public void clear() {
        for (KeyHistory key : List.copyOf(keys.values())) {
            replace(key, KeyHistory.empty(key.key()));
        }
        evictionHorizon = null;
        settle();
    }

    /** Drops every record older than {@code maxAge}; the other methods do it too before they act. */
    public void purgeExpired() {
        purgeExpiredAt(clock.millis());
    }

    private double purgeExpiredAt(long now) {
        double cutoff = (double) now - limits.maxAge().toMillis();
        while (!records.isEmpty() && records.firstKey().ts() < cutoff) {
            KeyHistory expiring = keys.get(records.firstKey().key());
            replace(expiring, expiring.withoutWritesBefore(cutoff));
        }
        if (evictionHorizon != null && evictionHorizon.ts() < cutoff) {
            evictionHorizon = null;
        }
        settle();
        return cutoff;
    }

    private void evictBeyondLimits() {
        while (liveByRecency.size() > limits.maxKeys()) {
            evict(liveByRecency.first());
        }
        while (tombstonesByRecency.size() > limits.maxTombstones()) {
            evict(tombstonesByRecency.first());
        }
        while (retainedBytes > limits.maxRetainedBytes()) {
            evict(leastRecentlyUpdated());
        }
    }

    private KeyHistory leastRecentlyUpdated() {
        if (tombstonesByRecency.isEmpty()) {
            return liveByRecency.first();
        }
        if (liveByRecency.isEmpty()) {
            return tombstonesByRecency.first();
        }
        KeyHistory live = liveByRecency.first();
        KeyHistory tombstone = tombstonesByRecency.first();
        return RECENCY.compare(live, tombstone) < 0 ? live : tombstone;
    }

    private void evict(KeyHistory key) {
        Update newest = key.newestWrite();
        if (evictionHorizon == null || newest.isNewerThan(evictionHorizon)) {
            evictionHorizon = newest;
        }
        replace(key, KeyHistory.empty(key.key()));
    }

    /** Swaps a key's history and keeps every index in step with it. */
    private void replace(KeyHistory before, KeyHistory after) {
        if (!before.isEmpty()) {
            liveByRecency.remove(before);
            tombstonesByRecency.remove(before);
        }
        Set<Update> kept = new TreeSet<>(HISTORY_ORDER);
        kept.addAll(after.records());
        for (Update record : before.records()) {
            if (!kept.contains(record)) {
                forget(record);
            }
        }
        for (Update record : after.records()) {
            if (!records.containsKey(record)) {
                remember(record);
            }
        }
        if (after.isEmpty()) {
            keys.remove(after.key());
        } else {
            keys.put(after.key(), after);
            (after.isLive() ? liveByRecency : tombstonesByRecency).add(after);
        }
    }

    /** How many bytes more the model holds once {@code before} is replaced by {@code after} (may be negative). */
    private long growth(KeyHistory before, KeyHistory after) {
        long growth = 0;
        for (Update record : after.records()) {
            Integer held = records.get(record);
            growth += held != null ? held : sizeOf(record);
        }
        for (Update record : before.records()) {
            growth -= records.get(record);
        }
        return growth;
    }

    /**
     * Counts the bytes an accepted write adds in the budget before the model holds them, so the
     * budget's total never exceeds its maximum. A model at its own byte limit evicts its own least
     * recently updated keys instead of growing, so only the growth beyond that needs room.
     */
    private void take(long growth) {
        if (growth <= 0) {
            return;
        }
        long needed = Math.min(growth, Math.max(0, limits.maxRetainedBytes() - retainedBytes));
        if (needed > 0 && !budget.tryTake(needed)) {
            throw new BudgetExceededException("update refused: all scuttlebutt namespaces together hold the server's limit of "
                    + budget.max() + " bytes; try again later");
        }
        counted += needed;
    }

    /** Brings the budget's count of this model in line with what it holds, once records went. */
    private void settle() {
        if (budget != null && counted != retainedBytes) {
            budget.giveBack(counted - retainedBytes);
            counted = retainedBytes;
        }
    }

    /**
     * The estimated memory cost of holding {@code update}, as counted against maxRetainedBytes and
     * the server's budget: its key, source and value as JSON text, plus {@value #RECORD_OVERHEAD}
     * for the record, and for each object or array in the value what its structure costs beyond its
     * text (see {@link #CONTAINER_OVERHEAD}).
     */
    static int estimatedSize(Update update) {
        long size = RECORD_OVERHEAD + update.key().length() + update.source().length() + estimatedSize(update.value());
        return (int) Math.min(Integer.MAX_VALUE, size);
    }

    private static long estimatedSize(JsonValue value) {
        if (!(value instanceof JsonStructure)) {
            return textLength(value);
        }
        long size = 0;
        Deque<JsonValue> pending = new ArrayDeque<>(); // not recursion: values may nest deeply
        pending.push(value);
        while (!pending.isEmpty()) {
            JsonValue next = pending.pop();
            if (next instanceof JsonObject object) {
                size += CONTAINER_OVERHEAD + 2;
                for (Map.Entry<String, JsonValue> member : object.entrySet()) {
                    size += MEMBER_OVERHEAD + member.getKey().length() + 4;
                    pending.push(member.getValue());
                }
            } else if (next instanceof JsonArray array) {
                size += CONTAINER_OVERHEAD + 2;
                for (JsonValue element : array) {
                    size += ELEMENT_OVERHEAD + 1;
                    pending.push(element);
                }
            } else {
                size += textLength(next);
            }
        }
        return size;
    }

    /**
     * A scalar's length as JSON text; a string's as it is held: without escapes, and counting two
     * bytes a character when one is beyond Latin-1, as the JVM then stores them.
     */
    private static long textLength(JsonValue scalar) {
        return switch (scalar.getValueType()) {
            case STRING -> heldLength(((JsonString) scalar).getString()) + 2;
            case TRUE, NULL -> 4;
            case FALSE -> 5;
            default -> scalar.toString().length();
        };
    }

    private static long heldLength(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) > 0xFF) {
                return 2L * text.length();
            }
        }
        return text.length();
    }

    /** {@link #estimatedSize}, which walks the value, computed once for a write being applied. */
    private int sizeOf(Update record) {
        if (record != sized) {
            sizedBytes = estimatedSize(record);
            sized = record;
        }
        return sizedBytes;
    }

    private void remember(Update record) {
        version++;
        int size = sizeOf(record);
        records.put(record, size);
        retainedBytes += size;
        recordsBySource.computeIfAbsent(record.source(), source -> new TreeSet<>(HISTORY_ORDER)).add(record);
    }

    private void forget(Update record) {
        version++;
        retainedBytes -= records.remove(record);
        NavigableSet<Update> fromSource = recordsBySource.get(record.source());
        fromSource.remove(record);
        if (fromSource.isEmpty()) {
            recordsBySource.remove(record.source());
        }
    }
}
