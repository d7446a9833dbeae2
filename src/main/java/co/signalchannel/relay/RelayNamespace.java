package co.signalchannel.relay;

import co.signalchannel.connection.Connection;
import co.signalchannel.namespace.Namespace;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The sessions of one relay namespace and the pairings among them. */
final class RelayNamespace implements Namespace {

    private final Set<Connection> members = ConcurrentHashMap.newKeySet();
    private final Rendezvous pairings;

    RelayNamespace(Rendezvous pairings) {
        this.pairings = pairings;
    }

    @Override
    public boolean join(Connection connection) {
        return members.add(connection);
    }

    @Override
    public boolean leave(Connection connection) {
        return members.remove(connection);
    }

    @Override
    public int sessions() {
        return members.size();
    }

    Rendezvous pairings() {
        return pairings;
    }
}
