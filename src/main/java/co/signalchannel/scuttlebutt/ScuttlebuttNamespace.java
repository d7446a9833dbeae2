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

    private static final ReplicationStream[] NONE = {};
    /** As many waiting threads as can run beside the lock's holder. */
    private static final int HELPERS = Math.max(1, Runtime.getRuntime().availableProcessors() - 1);

    /**
     * @param fanOutMinSlice fewest sessions worth handing to a waiting thread when forwarding
     */
    ScuttlebuttNamespace(String replicaId, ExpiryModel model, ScuttlebuttCodec codec, LongSupplier clock, int fanOutMinSlice) {
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
            if (!accepted.isEmpty() && streams.size() > 1) {
                forward(accepted, stream);
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
