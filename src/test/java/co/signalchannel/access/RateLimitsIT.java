package co.signalchannel.access;

import co.signalchannel.config.Setting;
import co.signalchannel.config.TextSetting;
import co.signalchannel.testing.Deployments;
import co.signalchannel.testing.Endpoints;
import co.signalchannel.testing.RawHandshake;
import co.signalchannel.testing.TestClient;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.WebSocketHandshakeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Rate limits in a real container. Per session: a client that sends faster than its messages or
 * bytes per second (beyond the burst) is closed with 1008 naming the limit, and the others in its
 * namespace lose nothing. Per address: new sessions per second and sessions open at once, beyond
 * which the handshake is answered 429. The address is the one a trusted proxy (here: 127.0.0.1)
 * forwards; a peer that is not one is counted as itself, whatever it forwards.
 */
@ExtendWith(ArquillianExtension.class)
class RateLimitsIT {

    static final long MESSAGES_PER_SECOND = 5;
    static final long MESSAGES_BURST = 10;
    static final long BYTES_PER_SECOND = 1_000;
    static final long BYTES_BURST = 4_000;
    static final long ADDRESS_BURST = 5;
    static final long ADDRESS_MAX_SESSIONS = 3;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.signalChannel("rate-limits", Map.of(
                Setting.RATE_MESSAGES_PER_SECOND, MESSAGES_PER_SECOND,
                Setting.RATE_MESSAGES_BURST, MESSAGES_BURST,
                Setting.RATE_BYTES_PER_SECOND, BYTES_PER_SECOND,
                Setting.RATE_BYTES_BURST, BYTES_BURST,
                Setting.ADDRESS_SESSIONS_PER_SECOND, 1L,
                Setting.ADDRESS_SESSIONS_BURST, ADDRESS_BURST,
                Setting.ADDRESS_MAX_SESSIONS, ADDRESS_MAX_SESSIONS), Map.of(
                TextSetting.TRUSTED_PROXIES, "127.0.0.1, ::1"));
    }

    final Endpoints endpoints = Endpoints.deployed("rate-limits");

    /** A client behind the trusted proxy at {@code address}, as the proxy forwards it. */
    TestClient from(String address, String namespace) throws Exception {
        int members = endpoints.sessions("echo", namespace);
        TestClient client = TestClient.to(endpoints.ws("echo", namespace)).header("X-Forwarded-For", address).connect();
        endpoints.awaitSessions("echo", namespace, members + 1);
        return client;
    }

    @Test
    void aSessionSendingMoreMessagesThanItsRateIsClosedWith1008AndTheOthersLoseNothing() throws Exception {
        try (TestClient flooder = from("203.0.113.1", "flood"); TestClient bystander = from("203.0.113.2", "flood")) {
            for (int i = 0; i <= MESSAGES_BURST; i++) {
                flooder.send("m" + i);
            }
            assertThat(flooder.awaitClose()).isEqualTo(new TestClient.Close(1008,
                    "rate limit: more than 5 messages per second (burst 10)"));
            for (int i = 0; i < MESSAGES_BURST; i++) {
                assertThat(bystander.nextText()).isEqualTo("m" + i);
            }
            bystander.send("still here");
            assertThat(bystander.nextText()).isEqualTo("still here");
            assertThat(bystander.isOpen()).isTrue();
        }
    }

    @Test
    void aSessionSendingMoreBytesThanItsRateIsClosedWith1008NamingTheByteLimit() throws Exception {
        try (TestClient flooder = from("203.0.113.3", "bytes")) {
            for (int i = 0; i < 5; i++) {
                flooder.send("x".repeat(1_000));
            }
            assertThat(flooder.awaitClose()).isEqualTo(new TestClient.Close(1008,
                    "rate limit: more than 1000 bytes per second (burst 4000)"));
        }
    }

    @Test
    void anAddressHoldingItsLimitOfOpenSessionsIsAnswered429UntilOneCloses() throws Exception {
        List<TestClient> open = new ArrayList<>();
        try {
            for (int i = 0; i < ADDRESS_MAX_SESSIONS; i++) {
                open.add(from("203.0.113.4", "crowd"));
            }
            assertThatThrownBy(() -> from("203.0.113.4", "crowd"))
                    .isInstanceOfSatisfying(WebSocketHandshakeException.class,
                            refused -> assertThat(refused.getResponse().statusCode()).isEqualTo(429));
            try (TestClient another = from("203.0.113.5", "crowd")) {
                assertThat(another.isOpen()).as("another address is not limited").isTrue();
            }
            open.remove(0).close();
            endpoints.awaitSessions("echo", "crowd", (int) ADDRESS_MAX_SESSIONS - 1);
            open.add(from("203.0.113.4", "crowd"));
        } finally {
            open.forEach(TestClient::close);
        }
    }

    @Test
    void anAddressOpeningSessionsFasterThanItsRateIsAnswered429NamingTheLimit() throws Exception {
        URI uri = endpoints.ws("relay", "burst");
        for (int i = 0; i < ADDRESS_BURST; i++) {
            assertThat(RawHandshake.to(uri).header("X-Forwarded-For", "203.0.113.6").send(uri.getRawPath()).status()).isEqualTo(101);
        }
        RawHandshake.Answer refused = RawHandshake.to(uri).header("X-Forwarded-For", "203.0.113.6").send(uri.getRawPath());
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.body()).contains("Too many new sessions from 203.0.113.6").contains("1 per second (burst 5)");
        assertThat(RawHandshake.to(uri).header("X-Forwarded-For", "203.0.113.7").send(uri.getRawPath()).status())
                .as("another address").isEqualTo(101);
    }

    @Test
    void aPeerThatIsNotATrustedProxyIsCountedAsItselfWhateverItForwards() throws Exception {
        URI uri = endpoints.ws("relay", "untrusted");
        for (int i = 0; i < ADDRESS_BURST; i++) {
            assertThat(RawHandshake.to(uri).from("127.0.0.2").header("X-Forwarded-For", "198.51.100." + i)
                    .send(uri.getRawPath()).status()).isEqualTo(101);
        }
        RawHandshake.Answer refused = RawHandshake.to(uri).from("127.0.0.2").header("X-Forwarded-For", "198.51.100.99")
                .header("Forwarded", "for=198.51.100.98").send(uri.getRawPath());
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.body()).contains("from 127.0.0.2");
    }
}
