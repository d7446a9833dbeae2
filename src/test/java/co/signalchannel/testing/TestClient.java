package co.signalchannel.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    private TestClient(URI uri, Handshake handshake) throws Exception {
        WebSocket.Builder builder = HTTP.newWebSocketBuilder().connectTimeout(WAIT);
        handshake.headers.forEach(builder::header);
        if (!handshake.subprotocols.isEmpty()) {
            builder.subprotocols(handshake.subprotocols.get(0),
                    handshake.subprotocols.subList(1, handshake.subprotocols.size()).toArray(String[]::new));
        }
        try {
            socket = builder.buildAsync(uri, new Recorder()).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    /**
     * Opens a session as a page served by the server would (with its {@code Origin}); fails (e.g.
     * with a handshake exception) if the server refuses the upgrade.
     */
    public static TestClient connect(URI uri) throws Exception {
        return to(uri).connect();
    }

    /** A handshake to {@code uri} to adjust before connecting: origin, headers, token. */
    public static Handshake to(URI uri) {
        return new Handshake(uri);
    }

    /** What a client sends in its opening handshake. */
    public static final class Handshake {
        private final URI uri;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private final List<String> subprotocols = new ArrayList<>();

        private Handshake(URI uri) {
            this.uri = uri;
            headers.put("Origin", PageOrigin.of(uri));
        }

        /** Sends {@code origin} as the Origin; null sends none, as a client that is not a browser. */
        public Handshake origin(String origin) {
            return header("Origin", origin);
        }

        /** Sets a header; null leaves it out. */
        public Handshake header(String name, String value) {
            if (value == null) {
                headers.remove(name);
            } else {
                headers.put(name, value);
            }
            return this;
        }

        /** Offers the token as the browser client does: {@code signal-channel} and {@code signal-channel.token.<token>}. */
        public Handshake token(String token) {
            subprotocols.clear();
            subprotocols.add("signal-channel");
            subprotocols.add("signal-channel.token." + token);
            return this;
        }

        public TestClient connect() throws Exception {
            return new TestClient(uri, this);
        }
    }

    /** The subprotocol the server chose; empty if none. */
    public String subprotocol() {
        return socket.getSubprotocol();
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
