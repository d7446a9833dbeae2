package co.signalchannel.connection;

import jakarta.websocket.CloseReason;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@link Transport} over a Jakarta WebSocket session, sending asynchronously; on Tyrus through
 * {@link TyrusDirectSend}, which sends each fan-out message's frame built once for all recipients,
 * chosen once per session.
 */
final class WebSocketTransport implements Transport {

    private static final Logger LOG = Logger.getLogger(WebSocketTransport.class.getName());
    private static final byte[] PING_DATA = {'s', 'c'};

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
