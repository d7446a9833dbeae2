package co.signalchannel.testing;

import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.CloseReason;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import org.glassfish.tyrus.client.ClientManager;
import org.glassfish.tyrus.container.jdk.client.JdkClientContainer;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * A real WebSocket client (Tyrus, JDK transport) that records what it receives, for driving the
 * deployed endpoints.
 */
public final class TestClient implements AutoCloseable {

    public static final Duration WAIT = Duration.ofSeconds(10);

    /** A received binary message, so text and binary stay distinguishable in one queue. */
    public record Binary(byte[] data) {
        @Override
        public String toString() {
            return "binary " + new String(data, StandardCharsets.UTF_8);
        }
    }

    private final BlockingQueue<Object> received = new LinkedBlockingQueue<>();
    private final CompletableFuture<CloseReason> closed = new CompletableFuture<>();
    private final Session session;

    private TestClient(URI uri) throws DeploymentException, IOException {
        // A client manager of its own: Tyrus shuts a manager's executors down when its last session
        // closes, which races with the next connect if managers are shared.
        session = ClientManager.createClient(JdkClientContainer.class.getName()).connectToServer(new Endpoint() {
            @Override
            public void onOpen(Session session, EndpointConfig config) {
                session.setMaxTextMessageBufferSize(16 * 1024 * 1024);
                session.setMaxBinaryMessageBufferSize(16 * 1024 * 1024);
                session.addMessageHandler(String.class, (MessageHandler.Whole<String>) received::add);
                session.addMessageHandler(ByteBuffer.class, (MessageHandler.Whole<ByteBuffer>) buffer -> {
                    byte[] data = new byte[buffer.remaining()];
                    buffer.get(data);
                    received.add(new Binary(data));
                });
            }

            @Override
            public void onClose(Session session, CloseReason reason) {
                closed.complete(reason);
            }
        }, ClientEndpointConfig.Builder.create().build(), uri);
    }

    public static TestClient connect(URI uri) throws DeploymentException, IOException {
        return new TestClient(uri);
    }

    public TestClient send(String text) throws IOException {
        requireOpen();
        session.getBasicRemote().sendText(text);
        return this;
    }

    public TestClient send(byte[] data) throws IOException {
        requireOpen();
        session.getBasicRemote().sendBinary(ByteBuffer.wrap(data));
        return this;
    }

    private void requireOpen() {
        if (closed.isDone()) {
            fail("cannot send: the session was closed with " + describe(closed.join()));
        }
    }

    /** The next message, text ({@link String}) or {@link Binary}; fails after {@link #WAIT}. */
    public Object next() throws InterruptedException {
        Object message = received.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        if (message == null) {
            fail("no message within " + WAIT + (closed.isDone() ? "; closed with " + describe(closed.join()) : ""));
        }
        return message;
    }

    /** The next message if one arrives within {@code wait}, else null. */
    public Object poll(Duration wait) throws InterruptedException {
        return received.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    public String nextText() throws InterruptedException {
        Object message = next();
        assertThat(message).as("message kind").isInstanceOf(String.class);
        return (String) message;
    }

    public byte[] nextBinary() throws InterruptedException {
        Object message = next();
        assertThat(message).as("message kind").isInstanceOf(Binary.class);
        return ((Binary) message).data();
    }

    /** Asserts that nothing arrives within {@code quiet}. */
    public void expectNothingFor(Duration quiet) throws InterruptedException {
        Object message = received.poll(quiet.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(message).as("unexpected message").isNull();
    }

    /** Waits for the server to close this session and returns why. */
    public CloseReason awaitClose() throws Exception {
        return closed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    public boolean isOpen() {
        return session.isOpen() && !closed.isDone();
    }

    public static String describe(CloseReason reason) {
        return reason.getCloseCode().getCode() + " \"" + reason.getReasonPhrase() + "\"";
    }

    @Override
    public void close() throws IOException {
        if (session.isOpen()) {
            session.close();
        }
    }
}
