package co.signalchannel.echo;

import co.signalchannel.connection.Connection;
import co.signalchannel.connection.Outgoing;
import co.signalchannel.namespace.Namespace;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The sessions of one echo namespace, and the order its messages are delivered in.
 *
 * <p>Guarantee: a message is queued to every member (its sender included) before the next
 * message of the namespace is queued to any, so all members see one order, and each sender's
 * messages keep the order it sent them. Queuing never blocks: a member too slow to take a message
 * is closed by its own outbox and the others go on.
 */
final class EchoNamespace implements Namespace {

    private final Set<Connection> members = new LinkedHashSet<>();

    @Override
    public synchronized boolean join(Connection connection) {
        return members.add(connection);
    }

    @Override
    public synchronized boolean leave(Connection connection) {
        return members.remove(connection);
    }

    @Override
    public synchronized int sessions() {
        return members.size();
    }

    /** Delivers the message to every member, the sender included. */
    synchronized void broadcast(Outgoing message) {
        for (Connection member : members) {
            member.send(message);
        }
    }
}
