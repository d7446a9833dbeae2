package co.signalchannel.connection;

import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.Session;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Sends on a Tyrus session straight through its {@code TyrusWebSocket}, as Tyrus' own broadcast
 * does: each message goes out as its prebuilt frame ({@link Outgoing.Text#frame()}), shared by
 * every recipient of a fan-out, instead of being encoded and framed again for each.
 *
 * <p>It also skips a step of {@code RemoteEndpoint.Async}: the idle-timer restart Tyrus 2.1 performs
 * on every send (a cancel and a reschedule on the container's scheduled executor). Payara's Tyrus
 * takes the container's {@code ManagedScheduledExecutorService}, and each schedule there captures
 * the thread context by looking service providers up on the class path; in an echo fan-out that
 * lookup, once per delivery, took more than half of the server's CPU (JFR, issue 6).
 * signal-channel sessions have no idle timeout ({@link Connections} sets it to 0: liveness is the
 * heartbeat's job), so the restart has nothing to restart.
 *
 * <p>Used only where a session's remote endpoint has exactly the Tyrus internals this expects,
 * the session has no idle timeout and no extension (permessage-deflate) was negotiated;
 * everywhere else (WildFly's Undertow, Tomcat's own WebSocket, a Tyrus that changed) {@link #of}
 * returns null and the standard API is used.
 */
final class TyrusDirectSend implements WebSocketTransport.Sends {

    private static final Logger LOG = Logger.getLogger(TyrusDirectSend.class.getName());
    private static final String TYRUS_FUTURE = "org.glassfish.tyrus.core.TyrusFuture";

    /** How to reach the web socket behind one class of remote endpoint. */
    private record Access(Field webSocket, Field protocolHandler, MethodHandle hasExtensions,
                          MethodHandle sendRawFrame, MethodHandle sendPing) {
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
        Optional<Access> found = ACCESS.computeIfAbsent(remote.getClass(), TyrusDirectSend::find);
        if (found.isEmpty()) {
            return null;
        }
        Access access = found.get();
        try {
            Object webSocket = access.webSocket().get(remote);
            if (webSocket == null) {
                return null;
            }
            // A negotiated extension transforms every frame: prebuilt frames would bypass it.
            Object protocolHandler = access.protocolHandler().get(webSocket);
            if (protocolHandler == null || (boolean) access.hasExtensions().invoke(protocolHandler)) {
                return null;
            }
            return new TyrusDirectSend(webSocket, access);
        } catch (Throwable e) {
            LOG.log(Level.FINE, e, () -> "no direct Tyrus sends for session " + session.getId());
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
            LOG.log(Level.FINE, e, () -> "no direct Tyrus sends for " + remoteClass + "; using the standard API");
        }
        return Optional.empty();
    }

    private static Access access(Field webSocketField) throws ReflectiveOperationException {
        Class<?> socket = webSocketField.getType();
        // Completion is learnt from the future sendRawFrame returns, a CompletableFuture since Tyrus 2.
        if (!CompletableFuture.class.isAssignableFrom(Class.forName(TYRUS_FUTURE, false, socket.getClassLoader()))) {
            throw new ClassNotFoundException(TYRUS_FUTURE + " is not a CompletableFuture");
        }
        Field protocolHandler = socket.getDeclaredField("protocolHandler");
        webSocketField.setAccessible(true);
        protocolHandler.setAccessible(true);
        MethodHandles.Lookup lookup = MethodHandles.publicLookup();
        return new Access(webSocketField, protocolHandler,
                lookup.findVirtual(protocolHandler.getType(), "hasExtensions", MethodType.methodType(boolean.class)),
                TyrusWebSockets.sendRawFrame(socket),
                lookup.findVirtual(socket, "sendPing", MethodType.methodType(Future.class, byte[].class))
                        .asType(MethodType.methodType(void.class, Object.class, byte[].class)));
    }

    @Override
    public void sendText(Outgoing.Text text, Consumer<Throwable> done) {
        sendFrame(text.frame(), done);
    }

    @Override
    public void sendBinary(Outgoing.Binary binary, Consumer<Throwable> done) {
        sendFrame(binary.frame(), done);
    }

    private void sendFrame(byte[] frame, Consumer<Throwable> done) {
        Future<?> sent;
        try {
            sent = (Future<?>) access.sendRawFrame().invokeExact(webSocket, ByteBuffer.wrap(frame));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
        ((CompletableFuture<?>) sent).whenComplete((result, failure) ->
                done.accept(failure instanceof CompletionException wrapped && wrapped.getCause() != null
                        ? wrapped.getCause() : failure));
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
