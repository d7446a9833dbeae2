package co.signalchannel.cluster;

import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The nodes this node has seen alive, updated from each report Redis returns: which ones were
 * lost since the last report. A node is lost once its report (a key with the node timeout as its
 * time to live) has expired; a node seen again later counts as a new one. Not thread-safe.
 *
 * <p>After Redis was lost (perhaps restarted empty), the nodes known alive before are awaited:
 * missing from the first reports, they have not reported again yet; one still missing a node
 * timeout after Redis was back died meanwhile, and is lost then.
 */
final class Membership {

    private final long nodeTimeoutMillis;
    private Map<String, String> alive = Map.of();
    /** Nodes alive before Redis was lost, not seen since: by the time they count as lost. */
    private final Map<String, Long> awaited = new HashMap<>();

    Membership(long nodeTimeoutMillis) {
        this.nodeTimeoutMillis = nodeTimeoutMillis;
    }

    /**
     * Takes the nodes alive now, each with its report, and returns those that were alive at the
     * last update and are not now, and those awaited since Redis was lost that did not come back
     * in time.
     */
    List<String> update(Map<String, String> aliveNow, long nowMillis) {
        Set<String> lost = new HashSet<>(alive.keySet());
        lost.removeAll(aliveNow.keySet());
        awaited.keySet().removeAll(aliveNow.keySet());
        awaited.entrySet().removeIf(node -> {
            if (nowMillis < node.getValue()) {
                return false;
            }
            lost.add(node.getKey());
            return true;
        });
        alive = new LinkedHashMap<>(aliveNow);
        return List.copyOf(lost);
    }

    /**
     * Redis was lost: every node known alive is awaited for one node timeout from {@code nowMillis}
     * instead of being lost at the next update.
     */
    void redisLost(long nowMillis) {
        for (String node : alive.keySet()) {
            awaited.putIfAbsent(node, nowMillis + nodeTimeoutMillis);
        }
        alive = Map.of();
    }

    /** Redis answers again: the awaited nodes have a node timeout from now to report. */
    void redisBack(long nowMillis) {
        awaited.replaceAll((node, deadline) -> nowMillis + nodeTimeoutMillis);
    }

    /** The nodes alive at the last update, each with its report, in the order Redis listed them. */
    Map<String, String> alive() {
        return Collections.unmodifiableMap(alive);
    }
}
