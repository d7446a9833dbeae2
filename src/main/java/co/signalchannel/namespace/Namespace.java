package co.signalchannel.namespace;

import co.signalchannel.connection.Connection;

/**
 * The sessions that share one name on one endpoint. Implementations are thread-safe; the
 * {@link NamespaceRegistry} calls {@link #join} and {@link #leave} while it holds the name, so
 * a namespace is never dropped while a session is joining it.
 */
public interface Namespace {

    /** @return whether the connection was added (false if it was already a member) */
    boolean join(Connection connection);

    /** @return whether the connection was a member and is now removed */
    boolean leave(Connection connection);

    int sessions();

    /** Whether nothing is left worth keeping: no sessions and no state. */
    default boolean isAbandoned() {
        return sessions() == 0;
    }
}
