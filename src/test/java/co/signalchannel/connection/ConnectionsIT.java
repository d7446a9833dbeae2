package co.signalchannel.connection;

import co.signalchannel.config.Setting;
import co.signalchannel.testing.Deployments;
import co.signalchannel.testing.Endpoints;
import co.signalchannel.testing.RawWebSocket;
import co.signalchannel.testing.TestClient;
import co.signalchannel.testing.Waiting;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What holds for every session on every endpoint: heartbeats and the server-wide session limit. */
@ExtendWith(ArquillianExtension.class)
class ConnectionsIT {

    static final long TIMEOUT_MS = 1_500;
    static final int MAX_SESSIONS = 4;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.signalChannel("connections", Map.of(
                Setting.HEARTBEAT_INTERVAL_MS, 250L,
                Setting.HEARTBEAT_TIMEOUT_MS, TIMEOUT_MS,
                Setting.SESSIONS_MAX, (long) MAX_SESSIONS));
    }

    Endpoints endpoints;

    @BeforeEach
    void setUp() {
        endpoints = Endpoints.deployed("connections");
    }

    @Test
    void aPeerThatNeverAnswersPingsIsClosedAsDeadWithin2Timeouts() throws Exception {
        try (RawWebSocket silent = RawWebSocket.connect(endpoints.ws("echo", "dead"))) {
            endpoints.awaitSessions("echo", "dead", 1);
            long start = System.nanoTime();
            endpoints.awaitSessions("echo", "dead", 0);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(TIMEOUT_MS * 2 + 1_000));
            RawWebSocket.Frame frame;
            do {
                frame = silent.readFrame(TestClient.WAIT);
            } while (frame.opcode() == RawWebSocket.Frame.PING);
            assertThat(frame.opcode()).isEqualTo(RawWebSocket.Frame.CLOSE);
            assertThat(frame.closeCode()).isEqualTo(1001);
            assertThat(frame.closeReason()).contains("ping");
        }
    }

    @Test
    void aLiveButQuietClientIsKeptOpenByPings() throws Exception {
        try (TestClient quiet = TestClient.connect(endpoints.ws("relay", "quiet"))) {
            endpoints.awaitSessions("relay", "quiet", 1);
            Thread.sleep(TIMEOUT_MS * 3);
            assertThat(quiet.isOpen()).isTrue();
            assertThat(endpoints.sessions("relay", "quiet")).isEqualTo(1);
        }
    }

    @Test
    void beyondTheServerWideLimitNewSessionsAreRefusedWith1013OnAnyEndpoint() throws Exception {
        java.util.List<TestClient> open = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < MAX_SESSIONS; i++) {
                open.add(TestClient.connect(endpoints.ws(i % 2 == 0 ? "echo" : "relay", "n" + i)));
            }
            Waiting.until(() -> endpoints.stats().getInt("sessions") == MAX_SESSIONS);
            try (TestClient extra = TestClient.connect(endpoints.ws("echo", "extra"))) {
                TestClient.Close reason = extra.awaitClose();
                assertThat(reason.code()).isEqualTo(1013);
                assertThat(reason.reason()).contains("server full").contains(String.valueOf(MAX_SESSIONS));
            }
            open.get(0).send("unaffected");
            assertThat(open.get(0).nextText()).isEqualTo("unaffected");
        } finally {
            for (TestClient client : open) {
                client.close();
            }
        }
        Waiting.until(() -> endpoints.stats().getInt("sessions") == 0);
        try (TestClient again = TestClient.connect(endpoints.ws("echo", "again"))) {
            again.send("room again");
            assertThat(again.nextText()).isEqualTo("room again");
        }
    }
}
