package co.signalchannel.connection;

import jakarta.websocket.CloseReason;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.Session;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Closes a Tyrus session from any thread without tearing its connection down on that thread.
 *
 * <p>Which containers need it, and why (issue 10): Tyrus on a servlet container (Payara's Grizzly,
 * Tomcat) tears a connection down on whichever thread closes the session: {@code Session.close}
 * sends the close frame, runs {@code @OnClose}, and has the servlet container finish the upgraded
 * request at once, which recycles its request and response objects for other connections. The
 * session's own I/O thread is not told: if it is reading at that moment it goes on using the
 * recycled objects. Under churn that answered later handshakes with 301, 404, 200 or 500 and
 * filled the log with NullPointerExceptions from Grizzly and Catalina: a potential leak of one
 * connection's request into another's.
 *
 * <p>So the server closes as RFC 6455 §7.1.2 describes: it claims the close the way Tyrus' own
 * {@code close} does (the web socket's state goes from connected to closing, so the close happens
 * once), sends its close frame, and waits for the client's answering close frame. That frame is
 * read on the session's own I/O thread, where Tyrus, finding the close already claimed, completes
 * it: {@code @OnClose}, then the teardown, on the one thread allowed to do it. A client that does
 * not answer within the close timeout is torn down from the timer thread, as Tyrus would have done
 * at once; a client that stays silent that long is not reading either.
 *
 * <p>Used only where the session's remote endpoint has exactly the Tyrus internals this expects;
 * anywhere else {@link #of} returns null and the standard {@code Session.close} is used (Undertow
 * and Tomcat's own WebSocket implementation hand closes to the connection's own thread themselves).
 */
final class TyrusClose {

    private static final Logger LOG = Logger.getLogger(TyrusClose.class.getName());
    private static final String CLOSE_FRAME = "org.glassfish.tyrus.core.frame.CloseFrame";

    /** How to reach and close the web socket behind one class of remote endpoint. */
    private record Access(Field webSocket, Field state, Object connected, Object closing,
                          MethodHandle sendRawFrame, MethodHandle newCloseFrame, MethodHandle onClose) {
    }

    private static final ConcurrentHashMap<Class<?>, Optional<Access>> ACCESS = new ConcurrentHashMap<>();

    private final Object webSocket;
    private final AtomicReference<Object> state;
    private final Access access;

    private TyrusClose(Object webSocket, AtomicReference<Object> state, Access access) {
        this.webSocket = webSocket;
        this.state = state;
        this.access = access;
    }

    /** The close for this session, or null where {@code Session.close} is to be used. */
    @SuppressWarnings("unchecked")
    static TyrusClose of(Session session) {
        RemoteEndpoint.Async remote = session.getAsyncRemote();
        Optional<Access> found = ACCESS.computeIfAbsent(remote.getClass(), TyrusClose::find);
        if (found.isEmpty()) {
            return null;
        }
        Access access = found.get();
        try {
            Object webSocket = access.webSocket().get(remote);
            if (webSocket == null) {
                return null;
            }
            return new TyrusClose(webSocket, (AtomicReference<Object>) access.state().get(webSocket), access);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(Level.FINE, e, () -> "no Tyrus close for session " + session.getId());
            return null;
        }
    }

    private static Optional<Access> find(Class<?> remoteClass) {
        try {
            Optional<Field> webSocket = TyrusWebSockets.field(remoteClass);
            if (webSocket.isPresent()) {
                return Optional.of(access(webSocket.get()));
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(Level.FINE, e, () -> "no Tyrus close for " + remoteClass + "; using Session.close");
        }
        return Optional.empty();
    }

    private static Access access(Field webSocketField) throws ReflectiveOperationException {
        Class<?> socket = webSocketField.getType();
        Field state = socket.getDeclaredField("state");
        if (state.getType() != AtomicReference.class) {
            throw new NoSuchFieldException(socket.getName() + ".state is not an AtomicReference");
        }
        Object connected = null;
        Object closing = null;
        for (Class<?> nested : socket.getDeclaredClasses()) {
            if (nested.isEnum() && nested.getSimpleName().equals("State")) {
                for (Object constant : nested.getEnumConstants()) {
                    String name = ((Enum<?>) constant).name();
                    if (name.equals("CONNECTED")) {
                        connected = constant;
                    } else if (name.equals("CLOSING")) {
                        closing = constant;
                    }
                }
            }
        }
        if (connected == null || closing == null) {
            throw new NoSuchFieldException(socket.getName() + ".State has no CONNECTED and CLOSING");
        }
        Class<?> closeFrame = Class.forName(CLOSE_FRAME, false, socket.getClassLoader());
        webSocketField.setAccessible(true);
        state.setAccessible(true);
        MethodHandles.Lookup lookup = MethodHandles.publicLookup();
        return new Access(webSocketField, state, connected, closing,
                TyrusWebSockets.sendRawFrame(socket),
                lookup.findConstructor(closeFrame, MethodType.methodType(void.class, CloseReason.class))
                        .asType(MethodType.methodType(Object.class, CloseReason.class)),
                lookup.findVirtual(socket, "onClose", MethodType.methodType(void.class, closeFrame))
                        .asType(MethodType.methodType(void.class, Object.class, Object.class)));
    }

    /**
     * Claims the close and sends the close frame; the client's answer completes it on the
     * session's own thread.
     *
     * @return false if the session was no longer open (closing already, by either side)
     */
    boolean start(Closure closure) {
        if (!state.compareAndSet(access.connected(), access.closing())) {
            return false;
        }
        try {
            Future<?> sent = (Future<?>) access.sendRawFrame().invokeExact(webSocket, ByteBuffer.wrap(frame(closure)));
        } catch (Throwable e) {
            // the connection is failing anyway: the client's side, or the close timeout, ends it
            LOG.log(Level.FINE, e, () -> "sending the close frame " + closure + " failed");
        }
        return true;
    }

    /**
     * Ends a close the client never answered: runs {@code @OnClose} and the teardown on this
     * thread, as Tyrus' own close does. Does nothing if the session has closed meanwhile.
     */
    void finish(Closure closure) {
        if (state.get() != access.closing()) {
            return;
        }
        try {
            Object frame = access.newCloseFrame().invokeExact(
                    new CloseReason(CloseReason.CloseCodes.getCloseCode(closure.code()), closure.reason()));
            access.onClose().invokeExact(webSocket, frame);
        } catch (Throwable e) {
            LOG.log(Level.FINE, e, () -> "ending the unanswered close " + closure + " failed");
        }
    }

    /** An unmasked close frame (RFC 6455 §5.5.1): the code, then the reason in UTF-8. */
    static byte[] frame(Closure closure) {
        byte[] reason = closure.reason().getBytes(StandardCharsets.UTF_8);
        byte[] frame = new byte[4 + reason.length];
        frame[0] = (byte) 0x88; // FIN, close
        frame[1] = (byte) (2 + reason.length); // at most 125: Closure cuts reasons to 123 bytes
        frame[2] = (byte) (closure.code() >> 8);
        frame[3] = (byte) closure.code();
        System.arraycopy(reason, 0, frame, 4, reason.length);
        return frame;
    }
}
