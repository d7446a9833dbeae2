package co.signalchannel.connection;

import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.Session;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Sends on a Tyrus session straight through its {@code TyrusWebSocket}, exactly as Tyrus'
 * {@code RemoteEndpoint.Async} does, less one step: the idle-timer restart Tyrus 2.1 performs on
 * every send (a cancel and a reschedule on the container's scheduled executor).
 *
 * <p>Which container needs it, and why: Payara. Its Tyrus takes the container's
 * {@code ManagedScheduledExecutorService}, and each schedule there captures the thread context by
 * looking service providers up on the class path. In an echo fan-out that lookup, once per
 * delivery, took more than half of the server's CPU (JFR, issue 6). signal-channel sessions have
 * no idle timeout ({@link Connections} sets it to 0: liveness is the heartbeat's job), so the
 * restart has nothing to restart.
 *
 * <p>Used only where a session's remote endpoint has exactly the Tyrus internals this expects and
 * the session has no idle timeout; everywhere else (WildFly's Undertow, Tomcat's own WebSocket, a
 * Tyrus that changed) {@link #of} returns null and the standard API is used.
 */
final class TyrusDirectSend implements WebSocketTransport.Sends {

    private static final Logger LOG = Logger.getLogger(TyrusDirectSend.class.getName());
    private static final String TYRUS_WEB_SOCKET = "org.glassfish.tyrus.core.TyrusWebSocket";

    /** How to reach the web socket behind one class of remote endpoint. */
    private record Access(Field webSocket, MethodHandle sendText, MethodHandle sendBinary, MethodHandle sendPing) {
    }

    private static final ConcurrentHashMap<Class<?>, Optional<Access>> ACCESS = new ConcurrentHashMap<>();

    private final Object webSocket;
    private final Access access;

    private TyrusDirectSend(Object webSocket, Access access) {
        this.webSocket = webSocket;
        this.access = access;
    }

    /** The direct path for this session, or null to use {@code session.getAsyncRemote()}. */
    static TyrusDirectSend of(Session session) {
        if (session.getMaxIdleTimeout() > 0) {
            return null; // then the idle timer matters
        }
        RemoteEndpoint.Async remote = session.getAsyncRemote();
        Optional<Access> access = ACCESS.computeIfAbsent(remote.getClass(), TyrusDirectSend::find);
        if (access.isEmpty()) {
            return null;
        }
        try {
            Object webSocket = access.get().webSocket().get(remote);
            return webSocket == null ? null : new TyrusDirectSend(webSocket, access.get());
        } catch (IllegalAccessException | RuntimeException e) {
            return null;
        }
    }

    private static Optional<Access> find(Class<?> remoteClass) {
        try {
            for (Class<?> type = remoteClass; type != null; type = type.getSuperclass()) {
                for (Field field : type.getDeclaredFields()) {
                    if (field.getName().equals("webSocket") && field.getType().getName().equals(TYRUS_WEB_SOCKET)) {
                        field.setAccessible(true);
                        Class<?> socket = field.getType();
                        MethodHandles.Lookup lookup = MethodHandles.publicLookup();
                        return Optional.of(new Access(field,
                                lookup.findVirtual(socket, "sendText", MethodType.methodType(void.class, String.class, SendHandler.class))
                                        .asType(MethodType.methodType(void.class, Object.class, String.class, SendHandler.class)),
                                lookup.findVirtual(socket, "sendBinary", MethodType.methodType(void.class, byte[].class, SendHandler.class))
                                        .asType(MethodType.methodType(void.class, Object.class, byte[].class, SendHandler.class)),
                                lookup.findVirtual(socket, "sendPing", MethodType.methodType(java.util.concurrent.Future.class, byte[].class))
                                        .asType(MethodType.methodType(void.class, Object.class, byte[].class))));
                    }
                }
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(Level.FINE, e, () -> "no direct Tyrus sends for " + remoteClass + "; using the standard API");
        }
        return Optional.empty();
    }

    @Override
    public void sendText(String text, SendHandler handler) {
        try {
            access.sendText().invokeExact(webSocket, text, handler);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void sendBinary(byte[] data, SendHandler handler) {
        try {
            access.sendBinary().invokeExact(webSocket, data, handler);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void sendPing(byte[] data) {
        try {
            access.sendPing().invokeExact(webSocket, data);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }
}
