package co.signalchannel.connection;

import jakarta.websocket.CloseReason;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@link Transport} over a Jakarta WebSocket session, sending asynchronously; on Tyrus through
 * {@link TyrusDirectSend}, which sends each fan-out message's frame built once for all recipients,
 * chosen once per session, and closing through {@link TyrusClose}.
 *
 * <p>Once the container reports the session closed ({@link #released}), no call of ours is inside
 * the session and none starts: on Tyrus over a servlet container the session's own thread recycles
 * the connection's request and response right after {@code @OnClose}, and a send from another
 * thread still under way would write into objects that may already serve another connection.
 */
final class WebSocketTransport implements Transport {

    private static final Logger LOG = Logger.getLogger(WebSocketTransport.class.getName());
    private static final byte[] PING_DATA = {'s', 'c'};
    private static final Duration RELEASE_WAIT = Duration.ofSeconds(2);

    /** The three ways a transport writes to its session. */
    interface Sends {
        void sendText(Outgoing.Text text, Consumer<Throwable> done);

        void sendBinary(Outgoing.Binary binary, Consumer<Throwable> done);

        void sendPing(byte[] data) throws IOException;
    }

    /** Through the standard {@code RemoteEndpoint.Async}: every container but Tyrus' direct path. */
    private record StandardSends(Session session) implements Sends {
        @Override
        public void sendText(Outgoing.Text text, Consumer<Throwable> done) {
            session.getAsyncRemote().sendText(text.text(), result -> done.accept(failure(result)));
        }

        @Override
        public void sendBinary(Outgoing.Binary binary, Consumer<Throwable> done) {
            session.getAsyncRemote().sendBinary(ByteBuffer.wrap(binary.data()).asReadOnlyBuffer(),
                    result -> done.accept(failure(result)));
        }

        @Override
        public void sendPing(byte[] data) throws IOException {
            session.getAsyncRemote().sendPing(ByteBuffer.wrap(data));
        }
    }

    private static final VarHandle CALLS;

    static {
        try {
            CALLS = MethodHandles.lookup().findVarHandle(WebSocketTransport.class, "calls", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Session session;
    private final Sends sends;
    private final TyrusClose tyrusClose;
    private final ScheduledExecutorService timers;
    private final Duration closeTimeout;
    /** Calls of ours inside the session right now. */
    private volatile int calls;
    private volatile boolean released;
    private final Runnable whenReleased;

    /**
     * @param timers       where a close the client does not answer is ended
     * @param closeTimeout how long a client has to answer the server's close frame
     * @param whenReleased told once the container has closed the session (a drain waits for it)
     */
    WebSocketTransport(Session session, ScheduledExecutorService timers, Duration closeTimeout, Runnable whenReleased) {
        this.session = session;
        this.whenReleased = whenReleased;
        this.timers = timers;
        this.closeTimeout = closeTimeout;
        TyrusDirectSend direct = TyrusDirectSend.of(session);
        this.sends = direct != null ? direct : new StandardSends(session);
        this.tyrusClose = TyrusClose.of(session);
    }

    @Override
    public void send(Outgoing message, Consumer<Throwable> done) {
        CALLS.getAndAdd(this, 1);
        try {
            if (released) {
                done.accept(new IOException("session " + session.getId() + " is closed"));
                return;
            }
            if (message instanceof Outgoing.Text text) {
                sends.sendText(text, done);
            } else if (message instanceof Outgoing.Binary binary) {
                sends.sendBinary(binary, done);
            } else if (message instanceof Outgoing.Ping) {
                sends.sendPing(PING_DATA.clone());
                done.accept(null);
            } else {
                throw new IllegalArgumentException(message + " is not sent as a message");
            }
        } catch (IOException | RuntimeException e) {
            done.accept(e);
        } finally {
            CALLS.getAndAdd(this, -1);
        }
    }

    private static Throwable failure(SendResult result) {
        return result.isOK() ? null : result.getException();
    }

    @Override
    public void close(Closure closure) {
        if (tyrusClose != null) {
            closeOnTyrus(closure);
            return;
        }
        try {
            if (session.isOpen()) {
                session.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(closure.code()), closure.reason()));
            }
            UndertowCloseReply.afterClose(session);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, e, () -> "closing session " + session.getId() + " with " + closure + " failed");
        }
    }

    private void closeOnTyrus(Closure closure) {
        boolean started;
        CALLS.getAndAdd(this, 1);
        try {
            started = !released && tyrusClose.start(closure);
        } finally {
            CALLS.getAndAdd(this, -1);
        }
        if (started) {
            try {
                timers.schedule(() -> {
                    if (!released) {
                        tyrusClose.finish(closure);
                    }
                }, closeTimeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException shutDown) {
                tyrusClose.finish(closure); // undeployed: nothing will wait for the answer
            }
        }
    }

    /**
     * The container is closing the session ({@code @OnClose} runs, before Tyrus tears the
     * connection down): waits for calls of ours still inside the session to return, and refuses
     * any later one.
     */
    @Override
    public void released() {
        released = true;
        whenReleased.run();
        if (tyrusClose == null) {
            return; // Undertow and Tomcat's own implementation hand every write to the connection's thread
        }
        long deadline = System.nanoTime() + RELEASE_WAIT.toNanos();
        // Sends return as soon as the frame is handed to the container: this is a short wait.
        while (calls > 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            LockSupport.parkNanos(20_000);
        }
        if (calls > 0) {
            LOG.warning(() -> "session " + session.getId() + " closed while a send to it was still under way after "
                    + RELEASE_WAIT.toMillis() + " ms");
        }
    }
}
