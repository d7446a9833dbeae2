package co.signalchannel.scuttlebutt;

import jakarta.json.JsonBuilderFactory;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The writes of one key that still shape its value, immutable.
 *
 * <p>A key's value is the fold of every write it has seen, in {@link Update#WRITE_ORDER}: an object
 * written over an object merges into it field by field; any other write — a string, number,
 * boolean, array, or {@code null} (delete) — replaces the value, and an object written over such a
 * value replaces it too. Only the writes that fold needs are kept:
 * <ul>
 *   <li>the newest non-object write (the "reset"), if any; every older write is irrelevant,
 *       and keeping this one lets any replica tell that an older write arriving late is
 *       irrelevant too (a {@code null} here is a tombstone);</li>
 *   <li>the object writes ("patches") newer than it that are still the newest writer of at least
 *       one field, plus the newest patch even if it owns none (an empty object still makes the
 *       value an object).</li>
 * </ul>
 * Which writes are kept is a function of the set of writes seen, not of their arrival order: a
 * dropped write only ever loses to newer writes, and newer writes never stop being newer. So
 * replicas that saw the same writes keep the same records, and folding the kept records anywhere
 * gives the same value.
 */
final class KeyHistory {

    private final String key;
    private final Update reset;
    private final List<Update> patches;
    private final SortedMap<String, Update> fieldOwners;

    private KeyHistory(String key, Update reset, List<Update> patches, SortedMap<String, Update> fieldOwners) {
        this.key = key;
        this.reset = reset;
        this.patches = patches;
        this.fieldOwners = fieldOwners;
    }

    static KeyHistory empty(String key) {
        return new KeyHistory(key, null, List.of(), Collections.emptySortedMap());
    }

    String key() {
        return key;
    }

    /**
     * This history with {@code write} folded in, or empty when the write changes nothing: it is
     * older than the newest non-object write, it was seen before (same timestamp and source), it
     * is a patch whose every field has a newer writer, or it would make the merged object hold
     * more than {@code maxFields} fields.
     */
    Optional<KeyHistory> with(Update write, int maxFields) {
        if ((reset != null && !write.isNewerThan(reset)) || patches.stream().anyMatch(p -> sameWrite(p, write))) {
            return Optional.empty();
        }
        return write.value() instanceof JsonObject patch
                ? withPatch(write, patch, maxFields)
                : Optional.of(withReset(write));
    }

    private KeyHistory withReset(Update write) {
        List<Update> newerPatches = patches.stream().filter(p -> p.isNewerThan(write)).toList();
        SortedMap<String, Update> newerOwners = new TreeMap<>();
        fieldOwners.forEach((field, owner) -> {
            if (owner.isNewerThan(write)) {
                newerOwners.put(field, owner);
            }
        });
        return new KeyHistory(key, write, newerPatches, Collections.unmodifiableSortedMap(newerOwners));
    }

    private Optional<KeyHistory> withPatch(Update write, JsonObject patch, int maxFields) {
        SortedMap<String, Update> owners = new TreeMap<>(fieldOwners);
        for (String field : patch.keySet()) {
            Update owner = owners.get(field);
            if (owner == null || write.isNewerThan(owner)) {
                owners.put(field, write);
            }
        }
        if (owners.size() > maxFields) {
            return Optional.empty();
        }
        List<Update> candidates = new ArrayList<>(patches);
        int position = 0;
        while (position < candidates.size() && write.isNewerThan(candidates.get(position))) {
            position++;
        }
        candidates.add(position, write);
        Update newest = candidates.get(candidates.size() - 1);
        Set<Update> owning = new TreeSet<>(Update.WRITE_ORDER);
        owning.addAll(owners.values());
        if (write != newest && !owning.contains(write)) {
            return Optional.empty();
        }
        List<Update> kept = candidates.stream().filter(p -> p == newest || owning.contains(p)).toList();
        return Optional.of(new KeyHistory(key, reset, kept, Collections.unmodifiableSortedMap(owners)));
    }

    /** This history without the writes older than {@code cutoff} (milliseconds since the epoch). */
    KeyHistory withoutWritesBefore(double cutoff) {
        if (records().stream().allMatch(r -> r.ts() >= cutoff)) {
            return this;
        }
        Update keptReset = reset != null && reset.ts() >= cutoff ? reset : null;
        List<Update> keptPatches = patches.stream().filter(p -> p.ts() >= cutoff).toList();
        SortedMap<String, Update> keptOwners = new TreeMap<>();
        fieldOwners.forEach((field, owner) -> {
            if (owner.ts() >= cutoff) {
                keptOwners.put(field, owner);
            }
        });
        return new KeyHistory(key, keptReset, keptPatches, Collections.unmodifiableSortedMap(keptOwners));
    }

    /** The kept writes, oldest first. */
    List<Update> records() {
        if (reset == null) {
            return patches;
        }
        List<Update> records = new ArrayList<>(patches.size() + 1);
        records.add(reset);
        records.addAll(patches);
        return records;
    }

    /** The newest kept write: what "least recently updated" compares. */
    Update newestWrite() {
        return patches.isEmpty() ? reset : patches.get(patches.size() - 1);
    }

    boolean isEmpty() {
        return reset == null && patches.isEmpty();
    }

    /** Whether the key has a value (it is neither deleted nor unknown). */
    boolean isLive() {
        return !patches.isEmpty() || reset != null && !reset.isDelete();
    }

    /** Whether the key is deleted and remembers it. */
    boolean isTombstone() {
        return patches.isEmpty() && reset != null && reset.isDelete();
    }

    /** The key's value; only meaningful when {@link #isLive()}. */
    JsonValue value(JsonBuilderFactory json) {
        if (patches.isEmpty()) {
            return reset.value();
        }
        JsonObjectBuilder merged = json.createObjectBuilder();
        for (Map.Entry<String, Update> field : fieldOwners.entrySet()) {
            merged.add(field.getKey(), field.getValue().value().asJsonObject().get(field.getKey()));
        }
        return merged.build();
    }

    private static boolean sameWrite(Update a, Update b) {
        return Update.WRITE_ORDER.compare(a, b) == 0;
    }
}
