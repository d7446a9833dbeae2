package co.signalchannel.scuttlebutt;

import co.signalchannel.config.Setting;
import co.signalchannel.testing.Deployments;
import co.signalchannel.testing.Endpoints;
import co.signalchannel.testing.TestClient;
import co.signalchannel.testing.Waiting;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;

import static co.signalchannel.scuttlebutt.ScuttlebuttIT.linesUntilSync;
import static co.signalchannel.scuttlebutt.ScuttlebuttIT.update;
import static org.assertj.core.api.Assertions.assertThat;

/** Expiry and eviction with a short configured max age and a small key limit. */
@ExtendWith(ArquillianExtension.class)
class ScuttlebuttExpiryIT {

    static final long MAX_AGE_MS = 1_500;
    static final int MAX_KEYS = 3;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.signalChannel("scuttlebutt-expiry", Map.of(
                Setting.SCUTTLEBUTT_MAX_AGE_MS, MAX_AGE_MS,
                Setting.SCUTTLEBUTT_MAX_KEYS, (long) MAX_KEYS));
    }

    final Endpoints endpoints = Endpoints.deployed("scuttlebutt-expiry");

    static TestClient synced(Endpoints endpoints, String namespace, String clock) throws Exception {
        TestClient client = TestClient.connect(endpoints.ws("scuttlebutt", namespace));
        client.nextText();
        client.send(ScuttlebuttIT.hello("c" + System.nanoTime(), clock));
        return client;
    }

    @Test
    void expiredRecordsAreNeverSentAgainAndTheNamespaceIsForgotten() throws Exception {
        long now = System.currentTimeMillis();
        try (TestClient writer = synced(endpoints, "expiring", "{}")) {
            linesUntilSync(writer);
            writer.send(update("soon-gone", "1", now, "w"));
        }
        Thread.sleep(MAX_AGE_MS + 200);
        try (TestClient late = synced(endpoints, "expiring", "{}")) {
            assertThat(linesUntilSync(late)).isEmpty();
        }
        Waiting.until(() -> endpoints.stats().getJsonObject("scuttlebutt").getInt("namespaces") == 0);
    }

    @Test
    void anUpdateAlreadyOlderThanMaxAgeIsDropped() throws Exception {
        long old = System.currentTimeMillis() - MAX_AGE_MS - 1_000;
        try (TestClient writer = synced(endpoints, "too-old", "{}");
             TestClient watcher = synced(endpoints, "too-old", "{}")) {
            linesUntilSync(writer);
            linesUntilSync(watcher);
            writer.send(update("k", "1", old, "w"));
            watcher.expectNothingFor(java.time.Duration.ofMillis(300));
        }
    }

    @Test
    void beyondMaxKeysTheLeastRecentlyUpdatedKeyIsEvicted() throws Exception {
        long now = System.currentTimeMillis();
        try (TestClient writer = synced(endpoints, "crowded", "{}")) {
            linesUntilSync(writer);
            for (int i = 0; i < 5; i++) {
                writer.send(update("k" + i, String.valueOf(i), now + i, "w"));
            }
            ScuttlebuttIT.barrier(writer, "w");
            try (TestClient late = synced(endpoints, "crowded", "{}")) {
                List<String> history = linesUntilSync(late);
                assertThat(history).containsExactly(
                        update("k2", "2", now + 2, "w").strip(),
                        update("k3", "3", now + 3, "w").strip(),
                        update("k4", "4", now + 4, "w").strip());
            }
        }
    }
}
