package co.signalchannel.connection;

import co.signalchannel.access.SessionRate;

import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One client's WebSocket session as the features see it: a bounded outbox, inbound size checks,
 * liveness, and exactly-once end-of-life.
 *
 * <p>Every way a session can end (the client closes, the network fails, the server closes it for a
 * violation, a slow reader or a dead peer) runs the connection's {@linkplain #onEnd end action}
 * exactly once, so each feature leaves its registries exactly once. When the server closes a
 * session, the end action runs before the close frame is sent: a client that sees the close and
 * comes straight back (the same relay tokens, a namespace at its session limit) finds its old
 * session gone. Closes that the server decides run on {@code closer}, never on the thread that
 * noticed the problem: that thread may be broadcasting to a whole namespace.
 */
public final class Connection {

    private static final Logger LOG = Logger.getLogger(Connection.class.getName());

    /** A limit that protects the server from one session. */
    public record Limits(long maxMessageBytes, int maxQueuedMessages, long maxQueuedBytes) {
    }

    private final String id;
    private final Transport transport;
    private final Outbox outbox;
    private final Limits limits;
    private final SessionRate rate;
    private final Executor closer;
    private final LongSupplier clock;

    private static final Runnable ENDED = () -> { };
    private final AtomicReference<Runnable> onEnd = new AtomicReference<>(() -> { });
    /** Whether the server has decided to close the session. */
    private final AtomicBoolean closing = new AtomicBoolean();
    private volatile long lastHeard;
    private volatile Receiver receiver = new Receiver() {
        @Override
        public void onText(String text) {
        }

        @Override
        public void onBinary(byte[] data) {
        }
    };

    public Connection(String id, Transport transport, Limits limits, Executor closer, LongSupplier clock) {
        this(id, transport, limits, null, closer, clock);
    }

    /** @param rate the session's rate limits; null for none */
    public Connection(String id, Transport transport, Limits limits, SessionRate rate, Executor closer,
                      LongSupplier clock) {
        this.id = id;
        this.rate = rate;
        this.transport = transport;
        this.limits = limits;
        this.closer = closer;
        this.clock = clock;
        this.outbox = new Outbox(transport, limits.maxQueuedMessages(), limits.maxQueuedBytes(), this::finish,
                this::lost);
        this.lastHeard = clock.getAsLong();
    }

    public String id() {
        return id;
    }

    /**
     * Adds something that must happen once when this connection ends (leave the namespace,
     * release the pairing); actions run in the order they were added. Runs at once if the
     * connection has already ended.
     */
    public void onEnd(Runnable action) {
        Runnable previous = onEnd.getAndUpdate(current -> current == ENDED ? ENDED : () -> {
            current.run();
            action.run();
        });
        if (previous == ENDED) {
            action.run();
        }
    }

    /**
     * The container reports the session closed (by either side, or failed): nothing more is sent
     * to it, and the end action runs if it has not yet. Called on the session's own thread.
     */
    public void ended() {
        outbox.close();
        transport.released();
        runEndAction();
    }

    private void runEndAction() {
        Runnable action = onEnd.getAndSet(ENDED);
        if (action != ENDED) {
            action.run();
        }
    }

    public boolean isOpen() {
        return onEnd.get() != ENDED && !outbox.isClosed();
    }

    /** Records that the client is alive: it sent a message or answered a ping. */
    public void heard() {
        lastHeard = clock.getAsLong();
    }

    /** Milliseconds since the client was last heard from. */
    public long silentFor() {
        return clock.getAsLong() - lastHeard;
    }

    /** Sets the feature's handler for this session's messages. */
    public void receiveWith(Receiver receiver) {
        this.receiver = receiver;
    }

    /**
     * Takes a text message from the client: records it as alive, checks the size limit (1009) and
     * the rate limits (1008), and hands the message to the receiver. Any violation closes this session alone.
     */
    public void receive(String text) {
        // Three UTF-8 bytes per char at most: only long messages need the exact count.
        long bytes = (long) text.length() * 3 > limits.maxMessageBytes() ? Utf8.length(text) : text.length();
        receive(bytes, () -> receiver.onText(text));
    }

    /** @see #receive(String) */
    public void receive(byte[] data) {
        receive(data.length, () -> receiver.onBinary(data));
    }

    private interface Delivery {
        void deliver() throws ProtocolViolation;
    }

    private void receive(long bytes, Delivery delivery) {
        if (!isOpen()) {
            return; // closing: whatever it still sends is dropped
        }
        heard();
        try {
            if (bytes > limits.maxMessageBytes()) {
                throw new ProtocolViolation(CloseCodes.MESSAGE_TOO_BIG, "message of " + bytes
                        + " bytes is over the limit of " + limits.maxMessageBytes() + " bytes");
            }
            if (rate != null) {
                Optional<String> exceeded = rate.exceededBy(bytes);
                if (exceeded.isPresent()) {
                    throw new ProtocolViolation(CloseCodes.POLICY_VIOLATION, exceeded.get());
                }
            }
            delivery.deliver();
        } catch (ProtocolViolation violation) {
            // The client's mistake, not the server's: a line for whoever debugs a client, no trace.
            LOG.fine(() -> this + " closed: " + oneLine(violation.closure().toString()));
            abort(violation.closure());
        } catch (RuntimeException bug) {
            fail(bug);
        }
    }

    /** {@code text} with its control characters (a quoted line may hold a {@code \r}) as spaces. */
    private static String oneLine(String text) {
        StringBuilder line = new StringBuilder(text.length());
        text.codePoints().forEach(c -> line.appendCodePoint(Character.isISOControl(c) ? ' ' : c));
        return line.toString();
    }

    /**
     * The container reported an error on this session, or a feature failed: close it with 1011.
     * Only for what the server did wrong, which is worth a stack trace: whatever a client does
     * wrong is a {@link ProtocolViolation}, closed with its own code and never logged above FINE.
     */
    public void fail(Throwable cause) {
        // A peer that vanished mid-message is routine; anything else is worth a look.
        LOG.log(cause instanceof java.io.IOException ? Level.FINE : Level.WARNING, cause,
                () -> this + " failed; closing it");
        abort(new Closure(CloseCodes.INTERNAL_ERROR, "server error (" + cause.getClass().getSimpleName() + ")"));
    }

    /** A send failed: the connection is gone, whether or not the container has noticed, so the session leaves now. */
    private void lost(Throwable failure) {
        LOG.log(Level.FINE, failure, () -> this + " lost its connection");
        abort(new Closure(CloseCodes.GOING_AWAY, "connection lost"));
    }

    public boolean send(String text) {
        return send(new Outgoing.Text(text));
    }

    public boolean send(byte[] data) {
        return send(new Outgoing.Binary(data));
    }

    public void ping() {
        send(new Outgoing.Ping());
    }

    /**
     * Queues a message. A session whose outbox is full is too slow to keep up: it is closed with
     * 1013 and the message is dropped for it alone.
     *
     * @return whether the message was queued
     */
    public boolean send(Outgoing message) {
        return switch (outbox.offer(message)) {
            case QUEUED -> true;
            case CLOSED -> false;
            case FULL -> {
                abort(new Closure(CloseCodes.TRY_AGAIN_LATER, "too slow: " + outbox.queuedMessages()
                        + " messages (" + outbox.queuedBytes() + " bytes) were waiting to be sent; the limits are "
                        + limits.maxQueuedMessages() + " messages and " + limits.maxQueuedBytes() + " bytes"));
                yield false;
            }
        };
    }

    /** Closes the session once everything already queued for it has been sent. */
    public void close(Closure closure) {
        if (outbox.offer(new Outgoing.Close(closure)) == Outbox.Offer.FULL) {
            abort(closure);
        }
    }

    /**
     * Closes the session now, dropping whatever is queued for it, and ends it at once: it is
     * gone from every registry even if the network never delivers the close.
     */
    public void abort(Closure closure) {
        outbox.close();
        finish(closure);
    }

    /** The server closes the session, once: it leaves every registry, then the close frame goes. */
    private void finish(Closure closure) {
        if (closing.getAndSet(true)) {
            return;
        }
        closer.execute(() -> {
            runEndAction();
            transport.close(closure);
        });
    }

    @Override
    public String toString() {
        return "connection " + id;
    }
}
