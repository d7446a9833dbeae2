package co.signalchannel.cluster;

import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The nodes this node has seen alive, updated from each report Redis returns: which ones were
 * lost since the last report. A node is lost once its report (a key with the node timeout as its
 * time to live) has expired; a node seen again later counts as a new one. Not thread-safe.
 */
final class Membership {

    private Map<String, String> alive = Map.of();

    /**
     * Takes the nodes alive now, each with its report, and returns those that were alive at the
     * last update and are not now.
     */
    List<String> update(Map<String, String> aliveNow) {
        Set<String> lost = new HashSet<>(alive.keySet());
        lost.removeAll(aliveNow.keySet());
        alive = new LinkedHashMap<>(aliveNow);
        return List.copyOf(lost);
    }

    /**
     * Forgets every node, so the next update loses none: after Redis was lost (perhaps restarted
     * empty), the nodes missing from the first reports have not reported again yet, not died.
     */
    void forget() {
        alive = Map.of();
    }

    /** The nodes alive at the last update, each with its report, in the order Redis listed them. */
    Map<String, String> alive() {
        return Collections.unmodifiableMap(alive);
    }
}
