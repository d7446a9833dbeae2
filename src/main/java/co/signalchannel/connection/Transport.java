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

    /** Closes the session with the given code and reason; best effort, never throws. */
    void close(Closure closure);
}
