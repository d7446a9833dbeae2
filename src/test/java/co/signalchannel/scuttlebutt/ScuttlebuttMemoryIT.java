package co.signalchannel.scuttlebutt;

import co.signalchannel.config.Setting;
import co.signalchannel.testing.Deployments;
import co.signalchannel.testing.Endpoints;
import co.signalchannel.testing.TestClient;
import jakarta.json.JsonObject;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static co.signalchannel.scuttlebutt.ScuttlebuttIT.hello;
import static co.signalchannel.scuttlebutt.ScuttlebuttIT.linesUntilSync;
import static co.signalchannel.scuttlebutt.ScuttlebuttIT.update;
import static org.assertj.core.api.Assertions.assertThat;

/** The server-wide byte budget of the scuttlebutt models, small enough for one client to fill. */
@ExtendWith(ArquillianExtension.class)
class ScuttlebuttMemoryIT {

    static final long BUDGET = 64 * 1024;
    /** A value that makes a record of about 2.4 KB, so a few dozen fill the budget. */
    static final String VALUE = "\"" + "x".repeat(2_000) + "\"";

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.signalChannel("scuttlebutt-memory", Map.of(Setting.SCUTTLEBUTT_TOTAL_MAX_BYTES, BUDGET));
    }

    final Endpoints endpoints = Endpoints.deployed("scuttlebutt-memory");

    /** A client on {@code namespace} that has exchanged digests and "SYNC" with the server. */
    TestClient synced(String namespace) throws Exception {
        TestClient client = TestClient.connect(endpoints.ws("scuttlebutt", namespace));
        client.nextText();
        client.send(hello("c" + System.nanoTime(), "{}"));
        linesUntilSync(client);
        return client;
    }

    /**
     * Writes {@code key} from {@code source}, with a second digest in the same message, so that
     * the server's "SYNC" tells the write was taken and a close that it was refused.
     *
     * @return whether the server took it
     */
    static boolean write(TestClient client, String key, String source) throws Exception {
        client.send(update(key, VALUE, System.currentTimeMillis(), source)
                + hello("barrier", "{\"" + source + "\":9007199254740991}"));
        long deadline = System.nanoTime() + TestClient.WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            Object message = client.poll(Duration.ofMillis(50));
            if (message instanceof String text && text.contains("\"SYNC\"")) {
                return true;
            }
            if (message == null && !client.isOpen()) {
                return false;
            }
        }
        throw new AssertionError("neither \"SYNC\" nor a close within " + TestClient.WAIT);
    }

    /** What a client joining {@code namespace} with nothing is sent before "SYNC". */
    List<String> history(String namespace) throws Exception {
        try (TestClient late = TestClient.connect(endpoints.ws("scuttlebutt", namespace))) {
            late.nextText();
            late.send(hello("late", "{}"));
            return linesUntilSync(late);
        }
    }

    JsonObject scuttlebuttStats() throws Exception {
        JsonObject stats = endpoints.stats().getJsonObject("scuttlebutt");
        assertThat(stats.getJsonNumber("maxBytes").longValue()).as("the configured budget").isEqualTo(BUDGET);
        assertThat(stats.getJsonNumber("bytes").longValue()).as("bytes in use").isBetween(0L, BUDGET);
        return stats;
    }

    @Test
    void aFloodOfNamespacesFromOneClientStaysWithinTheBudgetByForgettingTheLongestIdle() throws Exception {
        int flood = 80;
        for (int i = 0; i < flood; i++) {
            try (TestClient client = synced("flood-" + i)) {
                assertThat(write(client, "k", "flood" + i)).as("write %d, with idle namespaces to forget", i).isTrue();
            }
            scuttlebuttStats();
        }
        assertThat(scuttlebuttStats().getInt("namespaces")).as("idle namespaces were forgotten").isLessThan(flood / 2);
        assertThat(history("flood-0")).as("the longest-idle namespace was forgotten").isEmpty();
        assertThat(history("flood-" + (flood - 1))).as("the namespace written last is kept").hasSize(1);
    }

    @Test
    void whenEveryNamespaceHoldingBytesHasSessionsTheWriterWhoWouldGoOverIsClosedWith1013() throws Exception {
        List<TestClient> fillers = new ArrayList<>();
        try (TestClient shared = synced("shared"); TestClient watcher = synced("shared")) {
            assertThat(write(shared, "before", "shared")).isTrue();
            assertThat(watcher.nextText()).contains("\"before\"");
            // Fill the budget with namespaces whose sessions stay open, until one write is refused.
            TestClient refused = null;
            for (int i = 0; refused == null; i++) {
                assertThat(i).as("writes before the budget was full").isLessThan(200);
                TestClient filler = synced("busy-" + i);
                fillers.add(filler);
                if (!write(filler, "k", "busy" + i)) {
                    refused = filler;
                }
                scuttlebuttStats();
            }
            TestClient.Close close = refused.awaitClose();
            assertThat(close.code()).isEqualTo(1013);
            assertThat(close.reason()).contains(String.valueOf(BUDGET), "bytes");

            assertThat(write(shared, "after", "shared")).as("a write that does not fit").isFalse();
            assertThat(shared.awaitClose().code()).isEqualTo(1013);
            watcher.expectNothingFor(Duration.ofMillis(300));
            assertThat(watcher.isOpen()).as("the other session of the namespace carries on").isTrue();
            assertThat(fillers.stream().filter(TestClient::isOpen).count()).isEqualTo(fillers.size() - 1);

            try (TestClient newcomer = synced("newcomer")) {
                assertThat(newcomer.isOpen()).as("joining is not refused for want of bytes").isTrue();
                assertThat(write(newcomer, "k", "newcomer")).as("but its first write that grows the models is").isFalse();
                assertThat(newcomer.awaitClose().code()).isEqualTo(1013);
            }
            assertThat(history("shared")).as("the shared state is intact").hasSize(1)
                    .allMatch(line -> line.contains("\"before\""));
            scuttlebuttStats();
        } finally {
            fillers.forEach(TestClient::close);
        }
    }
}
