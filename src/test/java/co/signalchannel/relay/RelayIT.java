package co.signalchannel.relay;

import co.signalchannel.config.Setting;
import co.signalchannel.testing.Deployments;
import co.signalchannel.testing.Endpoints;
import co.signalchannel.testing.TestClient;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The relay endpoint in a real container, driven by real WebSocket clients. */
@ExtendWith(ArquillianExtension.class)
class RelayIT {

    static final long PAIRING_TIMEOUT_MS = 1_500;
    static final int MAX_BUFFERED = 8;
    static final String OPEN = "{\"open\":true}";

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.signalChannel("relay", Map.of(
                Setting.RELAY_PAIRING_TIMEOUT_MS, PAIRING_TIMEOUT_MS,
                Setting.RELAY_BUFFER_MAX_MESSAGES, (long) MAX_BUFFERED));
    }

    Endpoints endpoints;

    @BeforeEach
    void setUp() {
        endpoints = Endpoints.deployed("relay");
    }

    TestClient open(String namespace) throws Exception {
        return TestClient.connect(endpoints.ws("relay", namespace));
    }

    static String header(String local, String remote) {
        return "{\"local\":\"" + local + "\",\"remote\":\"" + remote + "\"}";
    }

    @Test
    void mirrorHeadersArePairedAndForwardOnlyBetweenThePair() throws Exception {
        try (TestClient alice = open("calls"); TestClient bob = open("calls");
             TestClient carol = open("calls"); TestClient dave = open("calls")) {
            alice.send(header("alice", "bob"));
            carol.send(header("carol", "dave"));
            bob.send(header("bob", "alice"));
            dave.send(header("dave", "carol"));
            for (TestClient client : new TestClient[]{alice, bob, carol, dave}) {
                assertThat(client.nextText()).isEqualTo(OPEN);
            }
            alice.send("offer").send(new byte[]{1, 2, 3});
            bob.send("answer");
            assertThat(bob.nextText()).isEqualTo("offer");
            assertThat(bob.nextBinary()).containsExactly(1, 2, 3);
            assertThat(alice.nextText()).isEqualTo("answer");
            carol.expectNothingFor(Duration.ofMillis(300));
            dave.expectNothingFor(Duration.ofMillis(1));
        }
    }

    @Test
    void orderIsKeptUnderLoad() throws Exception {
        try (TestClient a = open("order"); TestClient b = open("order")) {
            a.send(header("a", "b"));
            b.send(header("b", "a"));
            assertThat(a.nextText()).isEqualTo(OPEN);
            assertThat(b.nextText()).isEqualTo(OPEN);
            for (int i = 0; i < 500; i++) {
                a.send("m" + i);
            }
            for (int i = 0; i < 500; i++) {
                assertThat(b.nextText()).isEqualTo("m" + i);
            }
        }
    }

    @Test
    void messagesSentBeforePairingAreDeliveredRightAfterOpenInOrder() throws Exception {
        try (TestClient early = open("early"); TestClient late = open("early")) {
            early.send(header("early", "late")).send("one").send(new byte[]{2}).send("three");
            endpoints.awaitSessions("relay", "early", 2);
            late.send(header("late", "early"));
            assertThat(late.nextText()).isEqualTo(OPEN);
            assertThat(late.nextText()).isEqualTo("one");
            assertThat(late.nextBinary()).containsExactly(2);
            assertThat(late.nextText()).isEqualTo("three");
            assertThat(early.nextText()).isEqualTo(OPEN);
        }
    }

    @Test
    void closingOneSideClosesTheOther() throws Exception {
        try (TestClient a = open("hangup"); TestClient b = open("hangup")) {
            a.send(header("a", "b"));
            b.send(header("b", "a"));
            assertThat(b.nextText()).isEqualTo(OPEN);
            a.send("bye");
            a.close();
            assertThat(b.nextText()).isEqualTo("bye");
            TestClient.Close reason = b.awaitClose();
            assertThat(reason.code()).isEqualTo(1000);
            assertThat(reason.reason()).contains("partner closed");
        }
    }

    @Test
    void aDuplicateClaimIsRefusedWith1008AndThePairingIsUntouched() throws Exception {
        try (TestClient a = open("dupe"); TestClient b = open("dupe"); TestClient intruder = open("dupe")) {
            a.send(header("a", "b"));
            b.send(header("b", "a"));
            assertThat(a.nextText()).isEqualTo(OPEN);
            assertThat(b.nextText()).isEqualTo(OPEN);
            intruder.send(header("b", "a"));
            TestClient.Close reason = intruder.awaitClose();
            assertThat(reason.code()).isEqualTo(1008);
            assertThat(reason.reason()).contains("already holds");
            a.send("private");
            assertThat(b.nextText()).isEqualTo("private");
        }
    }

    @Test
    void aDuplicateClaimOfAWaitingSessionIsRefused() throws Exception {
        try (TestClient waiting = open("waiting"); TestClient intruder = open("waiting");
             TestClient partner = open("waiting")) {
            waiting.send(header("w", "p"));
            endpoints.awaitSessions("relay", "waiting", 3);
            intruder.send(header("w", "p"));
            assertThat(intruder.awaitClose().code()).isEqualTo(1008);
            partner.send(header("p", "w"));
            assertThat(waiting.nextText()).isEqualTo(OPEN);
            assertThat(partner.nextText()).isEqualTo(OPEN);
        }
    }

    @Test
    void aMalformedHeaderIsRefusedWith1007() throws Exception {
        for (String bad : new String[]{"not json", "[1,2]", "{\"local\":\"a\"}", "{\"local\":1,\"remote\":\"b\"}",
                "{\"local\":\"\",\"remote\":\"b\"}"}) {
            try (TestClient client = open("malformed")) {
                client.send(bad);
                TestClient.Close reason = client.awaitClose();
                assertThat(reason.code()).as(bad).isEqualTo(1007);
                assertThat(reason.reason()).as(bad).contains("relay header");
            }
        }
    }

    @Test
    void aDeeplyNestedHeaderIsRefusedWith1007NamingTheLimitNot1011() throws Exception {
        // Was: the container's JSON-P gave up on 2 KB of nesting with a RuntimeException: 1011.
        String deep = "[".repeat(1_100) + "]".repeat(1_100);
        try (TestClient client = open("deep-header")) {
            client.send("{\"local\":\"a\",\"remote\":\"b\",\"x\":" + deep + "}");
            TestClient.Close reason = client.awaitClose();
            assertThat(reason.code()).isEqualTo(1007);
            assertThat(reason.reason()).contains("relay header").contains("64");
        }
    }

    @Test
    void aBinaryHeaderIsRefusedWith1003() throws Exception {
        try (TestClient client = open("binary-header")) {
            client.send(new byte[]{'{', '}'});
            assertThat(client.awaitClose().code()).isEqualTo(1003);
        }
    }

    @Test
    void anUnpairedSessionIsClosedAfterThePairingTimeout() throws Exception {
        try (TestClient lonely = open("lonely"); TestClient silent = open("lonely")) {
            lonely.send(header("lonely", "nobody"));
            TestClient.Close reason = lonely.awaitClose();
            assertThat(reason.code()).isEqualTo(1008);
            assertThat(reason.reason()).contains("mirror header").contains(String.valueOf(PAIRING_TIMEOUT_MS));
            assertThat(silent.awaitClose().reason()).contains("no relay header");
        }
    }

    @Test
    void sendingTooMuchBeforePairingIsRefusedWith1008() throws Exception {
        try (TestClient eager = open("eager")) {
            eager.send(header("eager", "absent"));
            for (int i = 0; i <= MAX_BUFFERED; i++) {
                eager.send("m" + i);
            }
            TestClient.Close reason = eager.awaitClose();
            assertThat(reason.code()).isEqualTo(1008);
            assertThat(reason.reason()).contains("before it is paired");
        }
    }

    @Test
    void aReleasedPairingCanBeClaimedAgain() throws Exception {
        try (TestClient a = open("again"); TestClient b = open("again")) {
            a.send(header("a", "b"));
            b.send(header("b", "a"));
            assertThat(a.nextText()).isEqualTo(OPEN);
            assertThat(b.nextText()).isEqualTo(OPEN);
        }
        endpoints.awaitSessions("relay", "again", 0);
        try (TestClient a = open("again"); TestClient b = open("again")) {
            a.send(header("a", "b"));
            b.send(header("b", "a"));
            assertThat(a.nextText()).isEqualTo(OPEN);
            assertThat(b.nextText()).isEqualTo(OPEN);
        }
    }
}
