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
 * {@link TyrusDirectSend}, which does the same without a costly per-send step.
 */
final class WebSocketTransport implements Transport {

    private static final Logger LOG = Logger.getLogger(WebSocketTransport.class.getName());
    private static final byte[] PING_DATA = {'s', 'c'};
    private static final ByteBuffer PING = ByteBuffer.wrap(PING_DATA).asReadOnlyBuffer();

    private final Session session;
    private final TyrusDirectSend direct; // null: the standard API

    WebSocketTransport(Session session) {
        this.session = session;
        this.direct = TyrusDirectSend.of(session);
    }

    @Override
    public void send(Outgoing message, Consumer<Throwable> done) {
        try {
            if (message instanceof Outgoing.Text text) {
                if (direct != null) {
                    direct.sendText(text.text(), result -> done.accept(failure(result)));
                } else {
                    session.getAsyncRemote().sendText(text.text(), result -> done.accept(failure(result)));
                }
            } else if (message instanceof Outgoing.Binary binary) {
                if (direct != null) {
                    direct.sendBinary(binary.data(), result -> done.accept(failure(result)));
                } else {
                    session.getAsyncRemote().sendBinary(binary.buffer(), result -> done.accept(failure(result)));
                }
            } else if (message instanceof Outgoing.Ping) {
                if (direct != null) {
                    direct.sendPing(PING_DATA.clone());
                } else {
                    session.getAsyncRemote().sendPing(PING.duplicate());
                }
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
