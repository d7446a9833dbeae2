package co.signalchannel.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.io.ByteArrayOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * A real WebSocket client (the JDK's {@code java.net.http.WebSocket}, which answers pings by
 * itself) that records what it receives, for driving the deployed endpoints.
 */
public final class TestClient implements AutoCloseable {

    public static final Duration WAIT = Duration.ofSeconds(10);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** A received binary message, so text and binary stay distinguishable in one queue. */
    public record Binary(byte[] data) {
        @Override
        public String toString() {
            return "binary " + new String(data, StandardCharsets.UTF_8);
        }
    }

    /** Why the server closed the session. */
    public record Close(int code, String reason) {
        @Override
        public String toString() {
            return code + " \"" + reason + "\"";
        }
    }

    private final BlockingQueue<Object> received = new LinkedBlockingQueue<>();
    private final CompletableFuture<Close> closed = new CompletableFuture<>();
    private final WebSocket socket;

    private TestClient(URI uri) throws Exception {
        try {
            socket = HTTP.newWebSocketBuilder().connectTimeout(WAIT).header("Origin", PageOrigin.of(uri))
                    .buildAsync(uri, new Recorder())
                    .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    /** Opens a session; fails (e.g. with a handshake exception) if the server refuses the upgrade. */
    public static TestClient connect(URI uri) throws Exception {
        return new TestClient(uri);
    }

    /** Gathers fragments into whole messages, as a browser delivers them. */
    private final class Recorder implements WebSocket.Listener {
        private final StringBuilder text = new StringBuilder();
        private final ByteArrayOutputStream binary = new ByteArrayOutputStream();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                received.add(text.toString());
                text.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            byte[] chunk = new byte[data.remaining()];
            data.get(chunk);
            binary.writeBytes(chunk);
            if (last) {
                received.add(new Binary(binary.toByteArray()));
                binary.reset();
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(new Close(statusCode, reason));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(new Close(1006, "connection failed: " + error));
        }
    }

    public TestClient send(String text) {
        requireOpen();
        socket.sendText(text, true).join();
        return this;
    }

    public TestClient send(byte[] data) {
        requireOpen();
        socket.sendBinary(ByteBuffer.wrap(data), true).join();
        return this;
    }

    private void requireOpen() {
        if (closed.isDone()) {
            fail("cannot send: the session was closed with " + closed.join());
        }
    }

    /** The next message, text ({@link String}) or {@link Binary}; fails after {@link #WAIT}. */
    public Object next() throws InterruptedException {
        Object message = received.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        if (message == null) {
            fail("no message within " + WAIT + (closed.isDone() ? "; closed with " + closed.join() : ""));
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
    public Close awaitClose() throws Exception {
        return closed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    public boolean isOpen() {
        return !closed.isDone() && !socket.isInputClosed();
    }

    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            try {
                socket.sendClose(WebSocket.NORMAL_CLOSURE, "").join();
            } catch (CompletionException alreadyClosing) {
                // the server closed first
            }
        }
        socket.abort();
    }
}
