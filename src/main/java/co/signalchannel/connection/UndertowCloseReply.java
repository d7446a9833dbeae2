package co.signalchannel.connection;

import jakarta.websocket.Session;

import java.lang.reflect.Method;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Answers a client's close frame that Undertow left unanswered because the server closed the
 * session at the same instant.
 *
 * <p>Which container needs it, and why (issue 10): WildFly. {@code UndertowSession.close} called
 * on another thread than the connection's own claims the close first and then sends no close frame
 * if the client's has just been read ("the close frame handler will deal with it"); the close frame
 * handler, finding the session already closed, assumes the close frame went out and does nothing.
 * Neither side answers: the client waits for a close that never comes. Under relay churn (both
 * ends of a call hanging up while the server closes each for its partner) about one close in 300
 * was left so. After our close, a connection that has received the client's close frame but sent
 * none is sent one here.
 *
 * <p>Only sessions whose class has Undertow's {@code getWebSocketChannel()} get this; anywhere
 * else it does nothing.
 */
final class UndertowCloseReply {

    private static final Logger LOG = Logger.getLogger(UndertowCloseReply.class.getName());

    /** How to ask one class of Undertow channel about its close frames and send its own. */
    private record Access(Method channel, Method closeFrameReceived, Method closeFrameSent, Method sendClose) {
    }

    private static final ConcurrentHashMap<Class<?>, Optional<Access>> ACCESS = new ConcurrentHashMap<>();

    private UndertowCloseReply() {
    }

    /** After the server closed {@code session}: sends the close frame Undertow may have left unsent. */
    static void afterClose(Session session) {
        Optional<Access> found = ACCESS.computeIfAbsent(session.getClass(), UndertowCloseReply::find);
        if (found.isEmpty()) {
            return;
        }
        Access access = found.get();
        try {
            Object channel = access.channel().invoke(session);
            if (channel != null && (boolean) access.closeFrameReceived().invoke(channel)
                    && !(boolean) access.closeFrameSent().invoke(channel)) {
                access.sendClose().invoke(channel);
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(Level.FINE, e, () -> "could not answer the close of session " + session.getId());
        }
    }

    private static Optional<Access> find(Class<?> sessionClass) {
        if (!sessionClass.getName().startsWith("io.undertow.")) {
            return Optional.empty();
        }
        try {
            Method channel = sessionClass.getMethod("getWebSocketChannel");
            Class<?> channelType = channel.getReturnType();
            return Optional.of(new Access(channel, channelType.getMethod("isCloseFrameReceived"),
                    channelType.getMethod("isCloseFrameSent"), channelType.getMethod("sendClose")));
        } catch (NoSuchMethodException | RuntimeException e) {
            LOG.log(Level.FINE, e, () -> sessionClass + " is not the Undertow session this expects; leaving its closes alone");
            return Optional.empty();
        }
    }
}
