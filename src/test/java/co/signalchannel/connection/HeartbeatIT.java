package co.signalchannel.connection;

import co.signalchannel.config.Setting;
import co.signalchannel.testing.Deployments;
import co.signalchannel.testing.Endpoints;
import co.signalchannel.testing.RawWebSocket;
import co.signalchannel.testing.TestClient;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URL;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Server pings keep live sessions open and find dead ones. */
@ExtendWith(ArquillianExtension.class)
class HeartbeatIT {

    static final long TIMEOUT_MS = 1_500;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.signalChannel("heartbeat", Map.of(
                Setting.HEARTBEAT_INTERVAL_MS, 250L,
                Setting.HEARTBEAT_TIMEOUT_MS, TIMEOUT_MS));
    }

    @ArquillianResource
    URL base;

    Endpoints endpoints;

    @BeforeEach
    void setUp() {
        endpoints = new Endpoints(base);
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
}
