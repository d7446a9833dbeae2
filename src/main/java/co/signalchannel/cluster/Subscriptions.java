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
 * reconnects; those channels are unsubscribed then. Not thread-safe: the caller serialises.
 */
final class Subscriptions {

    /** What to send Redis after a reconnect. */
    record Reconcile(List<String> subscribe, List<String> unsubscribe) {
    }

    private final Map<String, Integer> wanted = new HashMap<>();
    private final Set<String> mayDeliver = new HashSet<>();

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
            return true;
        }
        wanted.put(channel, users - 1);
        return false;
    }

    /** Redis confirmed an unsubscribe: unless wanted again meanwhile, nothing more comes on it. */
    void unsubscribed(String channel) {
        if (!wanted.containsKey(channel)) {
            mayDeliver.remove(channel);
        }
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
        return new Reconcile(List.copyOf(wanted.keySet()), List.copyOf(stale));
    }
}
