package co.signalchannel.connection;

import jakarta.websocket.CloseReason;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@link Transport} over a Jakarta WebSocket session, sending asynchronously; on Tyrus through
 * {@link TyrusDirectSend}, which does the same without a costly per-send step, chosen once per
 * session.
 */
final class WebSocketTransport implements Transport {

    private static final Logger LOG = Logger.getLogger(WebSocketTransport.class.getName());
    private static final byte[] PING_DATA = {'s', 'c'};

    /** The three ways a transport writes to its session. */
    interface Sends {
        void sendText(String text, SendHandler handler);

        void sendBinary(byte[] data, SendHandler handler);

        void sendPing(byte[] data) throws IOException;
    }

    /** Through the standard {@code RemoteEndpoint.Async}: every container but Tyrus' direct path. */
    private record StandardSends(Session session) implements Sends {
        @Override
        public void sendText(String text, SendHandler handler) {
            session.getAsyncRemote().sendText(text, handler);
        }

        @Override
        public void sendBinary(byte[] data, SendHandler handler) {
            session.getAsyncRemote().sendBinary(ByteBuffer.wrap(data).asReadOnlyBuffer(), handler);
        }

        @Override
        public void sendPing(byte[] data) throws IOException {
            session.getAsyncRemote().sendPing(ByteBuffer.wrap(data));
        }
    }

    private final Session session;
    private final Sends sends;

    WebSocketTransport(Session session) {
        this.session = session;
        TyrusDirectSend direct = TyrusDirectSend.of(session);
        this.sends = direct != null ? direct : new StandardSends(session);
    }

    @Override
    public void send(Outgoing message, Consumer<Throwable> done) {
        try {
            if (message instanceof Outgoing.Text text) {
                sends.sendText(text.text(), result -> done.accept(failure(result)));
            } else if (message instanceof Outgoing.Binary binary) {
                sends.sendBinary(binary.data(), result -> done.accept(failure(result)));
            } else if (message instanceof Outgoing.Ping) {
                sends.sendPing(PING_DATA.clone());
                done.accept(null);
            } else {
                throw new IllegalArgumentException(message + " is not sent as a message");
            }
        } catch (IOException | RuntimeException e) {
            done.accept(e);
        }
    }

    private static Throwable failure(SendResult result) {
        return result.isOK() ? null : result.getException();
    }

    @Override
    public void close(Closure closure) {
        try {
            if (session.isOpen()) {
                session.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(closure.code()), closure.reason()));
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, e, () -> "closing session " + session.getId() + " with " + closure + " failed");
        }
    }
}
