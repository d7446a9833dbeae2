package co.signalchannel.scuttlebutt;

import co.signalchannel.testing.TestClient;
import jakarta.json.JsonValue;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * A {@link ScuttlebuttTwin} — the npm scuttlebutt Model's behaviour — connected to the real
 * endpoint through a real WebSocket client, each of its lines sent as one message.
 */
public final class TwinClient implements AutoCloseable {

    public final ScuttlebuttTwin twin;
    private TestClient client;

    public TwinClient(String id) {
        twin = new ScuttlebuttTwin(id);
    }

    /** Connects (or reconnects) and starts the exchange with the twin's digest. */
    public TwinClient connect(URI uri) throws Exception {
        client = TestClient.connect(uri);
        send(twin.onOpen());
        return this;
    }

    /** Sets a key; sent at once when connected, else on the next connect's exchange. */
    public TwinClient set(String key, JsonValue value) throws Exception {
        List<String> lines = twin.set(key, value);
        if (client != null && client.isOpen()) {
            send(lines);
        }
        return this;
    }

    public Optional<JsonValue> get(String key) {
        return twin.get(key);
    }

    /** Handles what arrives until {@code condition} holds on the twin; fails after {@link TestClient#WAIT}. */
    public TwinClient await(Predicate<ScuttlebuttTwin> condition) throws Exception {
        long deadline = System.nanoTime() + TestClient.WAIT.toNanos();
        while (!condition.test(twin)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("twin " + twin.toJson() + " never reached the expected state");
            }
            Object message = client.poll(Duration.ofMillis(50));
            if (message instanceof String text) {
                send(twin.onMessage(text));
            }
        }
        return this;
    }

    public TwinClient awaitSynced() throws Exception {
        return await(ScuttlebuttTwin::synced);
    }

    /** Handles whatever arrives within {@code quiet}. */
    public TwinClient settle(Duration quiet) throws Exception {
        Object message;
        while ((message = client.poll(quiet)) != null) {
            if (message instanceof String text) {
                send(twin.onMessage(text));
            }
        }
        return this;
    }

    private void send(List<String> lines) throws Exception {
        for (String line : lines) {
            client.send(line);
        }
    }

    @Override
    public void close() throws Exception {
        twin.onClose();
        if (client != null) {
            client.close();
        }
    }
}
