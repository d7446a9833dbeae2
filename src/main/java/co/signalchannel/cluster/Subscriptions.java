package co.signalchannel.cluster;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The channels this node wants from Redis, counted by their users, and those Redis may still
 * deliver to it: what to subscribe to and unsubscribe from, now and after a reconnect.
 *
 * <p>Why counted: a namespace's channel is wanted while any of its sessions is open here, and
 * sessions come and go on many threads. Why "may still deliver": an unsubscribe sent while Redis
 * is away is lost, and the client library subscribes again to what it believed subscribed when it
 * reconnects; those channels are unsubscribed then. Why the unsubscribes asked for are counted: on
 * Redis Cluster, Redis unsubscribes a shard channel by itself when its slot moves to another master,
 * and messages may be lost until it is subscribed again there; only an unsubscribe nobody asked
 * for, of a channel still wanted, means that. Not thread-safe: the caller serialises.
 */
final class Subscriptions {

    /** What to send Redis after a reconnect. */
    record Reconcile(List<String> subscribe, List<String> unsubscribe) {
    }

    private final Map<String, Integer> wanted = new HashMap<>();
    private final Set<String> mayDeliver = new HashSet<>();
    /** Unsubscribes sent and not yet confirmed or failed, per channel. */
    private final Map<String, Integer> askedToLeave = new HashMap<>();

    /** Counts one more user of the channel; true when it was unwanted, so it must be subscribed. */
    boolean acquire(String channel) {
        mayDeliver.add(channel);
        return wanted.merge(channel, 1, Integer::sum) == 1;
    }

    /** Counts one user less; true when that was the last, so it must be unsubscribed. */
    boolean release(String channel) {
        Integer users = wanted.get(channel);
        if (users == null) {
            return false;
        }
        if (users == 1) {
            wanted.remove(channel);
            askedToLeave.merge(channel, 1, Integer::sum);
            return true;
        }
        wanted.put(channel, users - 1);
        return false;
    }

    /**
     * Redis unsubscribed the channel: unless wanted again meanwhile, nothing more comes on it.
     *
     * @return true if nobody asked for it and the channel is still wanted: messages may have been
     *         missed, and it must be subscribed again
     */
    boolean unsubscribed(String channel) {
        boolean asked = askedToLeave.containsKey(channel);
        askedToLeave.computeIfPresent(channel, (name, count) -> count == 1 ? null : count - 1);
        if (!wanted.containsKey(channel)) {
            mayDeliver.remove(channel);
            return false;
        }
        return !asked;
    }

    /** An unsubscribe never reached Redis (it was away): no confirmation will come for it. */
    void unsubscribeFailed(String channel) {
        askedToLeave.computeIfPresent(channel, (name, count) -> count == 1 ? null : count - 1);
    }

    boolean isWanted(String channel) {
        return wanted.containsKey(channel);
    }

    int wantedCount() {
        return wanted.size();
    }

    /** After a reconnect: subscribe to everything wanted, unsubscribe from what Redis may still send unwanted. */
    Reconcile reconcile() {
        Set<String> stale = new HashSet<>(mayDeliver);
        stale.removeAll(wanted.keySet());
        stale.forEach(channel -> askedToLeave.merge(channel, 1, Integer::sum));
        return new Reconcile(List.copyOf(wanted.keySet()), List.copyOf(stale));
    }
}
