package co.signalchannel.scuttlebutt;

import co.signalchannel.connection.Connection;
import co.signalchannel.namespace.Namespace;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * One scuttlebutt namespace: its model and the replication stream of each session.
 *
 * <p>Everything runs under this namespace's lock, which the model and the streams require, and
 * which makes every session see the accepted updates in the order the model accepted them.
 * Sending never blocks: streams write to the sessions' bounded outboxes.
 */
final class ScuttlebuttNamespace implements Namespace {

    private final String replicaId;
    private final ExpiryModel model;
    private final ScuttlebuttCodec codec;
    private final LongSupplier clock;
    private final Map<Connection, ReplicationStream> streams = new LinkedHashMap<>();
    private long lastActive;

    ScuttlebuttNamespace(String replicaId, ExpiryModel model, ScuttlebuttCodec codec, LongSupplier clock) {
        this.replicaId = replicaId;
        this.model = model;
        this.codec = codec;
        this.clock = clock;
        this.lastActive = clock.getAsLong();
    }

    /** Adds the session and sends it our digest. */
    @Override
    public synchronized boolean join(Connection connection) {
        if (streams.containsKey(connection)) {
            return false;
        }
        ReplicationStream stream = new ReplicationStream(replicaId, model, codec, connection::send);
        streams.put(connection, stream);
        lastActive = clock.getAsLong();
        stream.open();
        return true;
    }

    @Override
    public synchronized boolean leave(Connection connection) {
        lastActive = clock.getAsLong();
        return streams.remove(connection) != null;
    }

    @Override
    public synchronized int sessions() {
        return streams.size();
    }

    /**
     * Abandoned once no session is left and nothing is remembered, not even a deletion, so a
     * returning client cannot bring a deleted key back.
     */
    @Override
    public synchronized boolean isAbandoned() {
        return streams.isEmpty() && model.isEmpty();
    }

    /** Applies what a session sent and passes every accepted update on to the other sessions. */
    synchronized void receive(Connection from, List<ProtocolValue> values) {
        ReplicationStream stream = streams.get(from);
        if (stream == null) {
            return; // it left while its message was being decoded
        }
        lastActive = clock.getAsLong();
        for (Update accepted : stream.receive(values)) {
            String line = streams.size() > 1 ? codec.encode(accepted) : null; // once, not once per session
            for (Map.Entry<Connection, ReplicationStream> other : streams.entrySet()) {
                if (other.getKey() != from) {
                    other.getValue().forward(accepted, line);
                }
            }
        }
    }

    synchronized void purgeExpired() {
        model.purgeExpired();
    }

    synchronized boolean hasNoSessions() {
        return streams.isEmpty();
    }

    synchronized long lastActive() {
        return lastActive;
    }
}
