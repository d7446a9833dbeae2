package co.signalchannel.connection;

import java.util.function.Consumer;

/**
 * The wire under one session. Implementations adapt a container's WebSocket session; tests use
 * fakes. The {@link Outbox} guarantees that at most one send is in flight at a time.
 */
public interface Transport {

    /**
     * Starts sending {@code message} (text, binary or ping) and calls {@code done} exactly once
     * when it has been handed to the network, with {@code null} on success or the failure. May
     * call {@code done} before returning.
     */
    void send(Outgoing message, Consumer<Throwable> done);

    /**
     * Closes the session with the given code and reason; best effort, never throws. Callable from
     * any thread, at any time, more than once: only the first call counts.
     */
    void close(Closure closure);

    /**
     * The container reports the session closed: returns once no call of this transport is inside
     * the session, and makes every later one fail. Called on the session's own thread, before the
     * container tears the connection down.
     */
    default void released() {
    }
}
