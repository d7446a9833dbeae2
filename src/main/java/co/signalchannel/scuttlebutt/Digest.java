package co.signalchannel.scuttlebutt;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What a replica has: {@code {"id": "<sender id>", "clock": {"<source>": <ts>, ...}}}. A
 * {@code clock} entry {@code source -> ts} claims the sender holds every update from
 * {@code source} up to {@code ts}, so the receiver sends only newer ones. A {@code "meta"} member
 * on the wire is ignored.
 *
 * @param id    the sender's replica id
 * @param clock each source the sender knows, with the newest timestamp it holds from it; kept
 *              sorted by source so the encoded digest is stable
 */
public record Digest(String id, Map<String, Double> clock) implements ProtocolValue {

    public Digest {
        Objects.requireNonNull(id, "id");
        clock.forEach((source, ts) -> {
            Objects.requireNonNull(source, "clock source");
            if (ts == null || !Double.isFinite(ts)) {
                throw new IllegalArgumentException("clock timestamp for " + source + " must be finite, got " + ts);
            }
        });
        clock = Collections.unmodifiableMap(new TreeMap<>(clock));
    }
}
