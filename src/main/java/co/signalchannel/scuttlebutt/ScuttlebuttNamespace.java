package co.signalchannel.scuttlebutt;

import co.signalchannel.connection.CloseCodes;
import co.signalchannel.connection.Connection;
import co.signalchannel.connection.FanOut;
import co.signalchannel.connection.HelpingLock;
import co.signalchannel.connection.Outgoing;
import co.signalchannel.connection.ProtocolViolation;
import co.signalchannel.namespace.Namespace;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * One scuttlebutt namespace: its model and the replication stream of each session.
 *
 * <p>Everything runs under this namespace's lock, which the model and the streams require, and
 * which makes every session see the accepted updates in the order the model accepted them.
 * Sending never blocks: streams write to the sessions' bounded outboxes. Forwarding an update to
 * a large namespace is sliced by {@link FanOut} and shared with the threads waiting for the lock
 * ({@link HelpingLock}), each stream on one thread, and the update's line goes to every session as
 * one message, so its wire frame is built once.
 */
final class ScuttlebuttNamespace implements Namespace {

    private final String replicaId;
    private final ExpiryModel model;
    private final ScuttlebuttCodec codec;
    private final EncodedHistory history;
    private final LongSupplier clock;
    private final HelpingLock lock = new HelpingLock();
    private final FanOut fanOut;
    private final Map<Connection, ReplicationStream> streams = new LinkedHashMap<>();
    /** The streams as an array, rebuilt on the first forward after a change. */
    private ReplicationStream[] snapshot = NONE;
    private boolean changed;
    /** The line being forwarded to every session, as the one message they all send. */
    private Outgoing.Text forwarding;
    private long lastActive;
    /** In a cluster: takes the updates this node's sessions got accepted, to pass to the other nodes. */
    private final Consumer<List<Update>> toCluster;
    /** In a cluster: sessions here that keep the namespace's cluster channel subscribed. */
    private int clusterSessions;
    private boolean caughtUp;
    /** In a cluster: the newest log entry this model reflects (see {@link ClusterReplication}). */
    private LogId lastSeen = LogId.ZERO;

    private static final ReplicationStream[] NONE = {};
    /** As many waiting threads as can run beside the lock's holder. */
    private static final int HELPERS = Math.max(1, Runtime.getRuntime().availableProcessors() - 1);

    /**
     * @param fanOutMinSlice fewest sessions worth handing to a waiting thread when forwarding
     */
    ScuttlebuttNamespace(String replicaId, ExpiryModel model, ScuttlebuttCodec codec, LongSupplier clock, int fanOutMinSlice) {
        this(replicaId, model, codec, clock, fanOutMinSlice, accepted -> { });
    }

    /**
     * @param toCluster takes, under this namespace's lock and so in order, every batch of updates
     *                  the model accepted from this node's sessions
     */
    ScuttlebuttNamespace(String replicaId, ExpiryModel model, ScuttlebuttCodec codec, LongSupplier clock,
                         int fanOutMinSlice, Consumer<List<Update>> toCluster) {
        this.toCluster = toCluster;
        this.replicaId = replicaId;
        this.model = model;
        this.codec = codec;
        this.history = new EncodedHistory(model, codec);
        this.clock = clock;
        this.fanOut = new FanOut(lock, HELPERS, fanOutMinSlice);
        this.lastActive = clock.getAsLong();
    }

    /** Adds the session and sends it our digest. */
    @Override
    public boolean join(Connection connection) {
        return locked(() -> {
            if (streams.containsKey(connection)) {
                return false;
            }
            ReplicationStream stream = new ReplicationStream(replicaId, model, codec, history,
                    line -> connection.send(message(line)));
            streams.put(connection, stream);
            changed = true;
            lastActive = clock.getAsLong();
            stream.open();
            return true;
        });
    }

    @Override
    public boolean leave(Connection connection) {
        return locked(() -> {
            lastActive = clock.getAsLong();
            boolean left = streams.remove(connection) != null;
            changed |= left;
            return left;
        });
    }

    @Override
    public int sessions() {
        return locked(streams::size);
    }

    /**
     * Abandoned once no session is left and nothing is remembered, not even a deletion, so a
     * returning client cannot bring a deleted key back.
     */
    @Override
    public boolean isAbandoned() {
        return locked(() -> streams.isEmpty() && model.isEmpty());
    }

    /**
     * Applies what a session sent and passes every accepted update on to the other sessions.
     *
     * @throws ProtocolViolation 1013 when the server's byte budget had no room for one of the
     *         updates: those before it are applied and passed on, it and the rest are dropped,
     *         so the other sessions see only what the model holds
     */
    void receive(Connection from, List<ProtocolValue> values) throws ProtocolViolation {
        lock.lock();
        try {
            ReplicationStream stream = streams.get(from);
            if (stream == null) {
                return; // it left while its message was being decoded
            }
            lastActive = clock.getAsLong();
            List<Update> accepted;
            BudgetExceededException refused = null;
            try {
                accepted = stream.receive(values);
            } catch (BudgetExceededException full) {
                accepted = full.accepted();
                refused = full;
            }
            if (!accepted.isEmpty()) {
                toCluster.accept(accepted);
                if (streams.size() > 1) {
                    forward(accepted, stream);
                }
            }
            if (refused != null) {
                throw new ProtocolViolation(CloseCodes.TRY_AGAIN_LATER, refused.getMessage());
            }
        } finally {
            lock.unlock();
        }
    }

    private void forward(List<Update> accepted, ReplicationStream from) {
        if (changed) {
            snapshot = streams.values().toArray(NONE);
            changed = false;
        }
        try {
            for (Update update : accepted) {
                String line = codec.encode(update); // once, not once per session
                forwarding = new Outgoing.Text(line);
                fanOut.forEach(snapshot, other -> {
                    if (other != from) {
                        other.forward(update, line);
                    }
                });
            }
        } finally {
            forwarding = null;
        }
    }

    /**
     * Applies updates from the cluster's log (another node's, or read back on joining) and passes
     * those the model accepts to every session here. An update the server's byte budget has no
     * room for is dropped, with the rest of the batch: this node's memory bound comes first.
     *
     * @param seen the log entry the batch ends with
     */
    void fromCluster(LogId seen, List<Update> updates) {
        lock.lock();
        try {
            if (seen.isAfter(lastSeen)) {
                lastSeen = seen;
            }
            List<Update> accepted = new java.util.ArrayList<>();
            try {
                for (Update update : updates) {
                    if (model.apply(update)) {
                        accepted.add(update);
                    }
                }
            } catch (BudgetExceededException full) {
                // dropped here only; the log keeps it for the nodes with room
            }
            if (!accepted.isEmpty() && !streams.isEmpty()) {
                forward(accepted, null);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Notes a log entry this node appended, as its announcement came back: the channel delivers in
     * the log's order, so every entry before it has been applied too, and compaction may trim it.
     */
    void appended(LogId id) {
        locked(() -> {
            if (id.isAfter(lastSeen)) {
                lastSeen = id;
            }
            return null;
        });
    }

    /** The newest log entry the model reflects. */
    LogId lastSeen() {
        return locked(() -> lastSeen);
    }

    /** The records the model holds that a log whose updates have {@code logClock} lacks. */
    List<Update> lackedBy(Map<String, Double> logClock) {
        return locked(() -> model.history(logClock));
    }

    /** Every record the model holds: what reproduces it. */
    List<Update> snapshot() {
        return lackedBy(Map.of());
    }

    int retainedRecords() {
        return locked(model::retainedRecords);
    }

    /** Counts a session here that keeps the namespace's cluster channel subscribed. */
    void clusterSessionJoined() {
        locked(() -> clusterSessions++);
    }

    /** Once the last such session left, the channel is unsubscribed: what comes meanwhile must be caught up. */
    void clusterSessionLeft() {
        locked(() -> {
            if (--clusterSessions == 0) {
                caughtUp = false;
            }
            return null;
        });
    }

    /** Whether the model has read the cluster's log since the channel was last subscribed. */
    boolean isCaughtUp() {
        return locked(() -> caughtUp);
    }

    void markCaughtUp() {
        locked(() -> caughtUp = true);
    }

    /** What a stream's sink sends for {@code line}: the shared message when it is the line being forwarded. */
    private Outgoing message(String line) {
        Outgoing.Text shared = forwarding;
        return shared != null && shared.text() == line ? shared : new Outgoing.Text(line);
    }

    void purgeExpired() {
        locked(() -> {
            model.purgeExpired();
            return null;
        });
    }

    boolean hasNoSessions() {
        return locked(streams::isEmpty);
    }

    /**
     * When no session is in the namespace, forgets everything it holds (giving its bytes back to
     * the server's budget) so that it can be dropped whole; call it only where no session can join
     * meanwhile (the registry holds the name).
     *
     * @return whether it had no sessions and is now empty
     */
    boolean forgetIfIdle() {
        return locked(() -> {
            if (!streams.isEmpty()) {
                return false;
            }
            model.clear();
            return true;
        });
    }

    /** The bytes its model retains, as counted against the budgets. */
    long retainedBytes() {
        return locked(model::retainedBytes);
    }

    long lastActive() {
        return locked(() -> lastActive);
    }

    private <T> T locked(Supplier<T> action) {
        lock.lock();
        try {
            return action.get();
        } finally {
            lock.unlock();
        }
    }
}
