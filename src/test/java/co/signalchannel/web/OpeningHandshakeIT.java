package co.signalchannel.web;

import co.signalchannel.testing.Deployments;
import co.signalchannel.testing.Endpoints;
import co.signalchannel.testing.RawHandshake;
import co.signalchannel.testing.RawWebSocket;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Handshakes RFC 6455 forbids, and namespace names the rule forbids, are refused with a 4xx answer
 * on every server, before any endpoint opens; where a server's own HTTP layer answers first, the
 * test says which and what (as the README's Deploying section does).
 *
 * <p>Before {@link OpeningHandshakeFilter} every server accepted other methods, HTTP/1.0 and bad
 * keys with 101, Payara and Tomcat answered a missing {@code Connection: Upgrade} with 500, Payara a
 * raw {@code "} in the path with 500, and {@code %2E%2E} opened a session on namespace "..".
 */
@ExtendWith(ArquillianExtension.class)
class OpeningHandshakeIT {

    /** The server under test, as the container profile names it. */
    static final String SERVER = System.getProperty("arquillian.launch", "payara-micro");

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.signalChannel("handshake", Map.of());
    }

    Endpoints endpoints;

    @BeforeEach
    void setUp() {
        endpoints = Endpoints.deployed("handshake");
    }

    RawHandshake handshake() {
        return RawHandshake.to(endpoints.http(""));
    }

    String path(String endpointAndNamespace) {
        return endpoints.http("v1/" + endpointAndNamespace).getRawPath();
    }

    /** Refused by OpeningHandshakeFilter: that status and its plain-text reason. */
    static void assertRefusedByUs(RawHandshake.Answer answer, int status, String reason) {
        assertThat(answer.status()).as("%s", answer).isEqualTo(status);
        assertThat(answer.header("Content-Type")).as("%s", answer).startsWith("text/plain");
        assertThat(answer.body()).as("%s", answer).contains(reason);
    }

    @Test
    void aWellFormedHandshakeStillOpens() throws Exception {
        assertThat(handshake().send(path("echo/well-formed")).status()).isEqualTo(101);
        assertThat(handshake().header("Connection", "keep-alive, Upgrade").header("Upgrade", "WebSocket")
                .send(path("echo/well-formed")).status()).isEqualTo(101);
    }

    @Test
    void methodsOtherThanGetAre405WithAllowGet() throws Exception {
        for (String method : List.of("POST", "PUT", "OPTIONS", "BREW")) {
            RawHandshake.Answer answer = handshake().method(method).header("Content-Length", "0").send(path("echo/methods"));
            assertRefusedByUs(answer, 405, "must be a GET request, not " + method);
            assertThat(answer.header("Allow")).isEqualTo("GET");
        }
        RawHandshake.Answer head = handshake().method("HEAD").send(path("echo/methods"));
        assertThat(head.status()).isEqualTo(405);
        assertThat(head.header("Allow")).isEqualTo("GET");
    }

    @Test
    void http10Is400() throws Exception {
        assertRefusedByUs(handshake().httpVersion("HTTP/1.0").send(path("echo/old")), 400, "needs HTTP/1.1 or later");
    }

    @Test
    void anEmptyMissingOrMalformedKeyIs400() throws Exception {
        for (String key : new String[]{"", "not base64!!", "YWJj", null}) {
            assertRefusedByUs(handshake().header("Sec-WebSocket-Key", key).send(path("echo/keys")), 400,
                    "one Sec-WebSocket-Key header holding 16 bytes in base64");
        }
    }

    /** Was 500 on Payara and Tomcat (Tyrus), 101 on WildFly. */
    @Test
    void aConnectionHeaderWithoutUpgradeIs400NotAServerError() throws Exception {
        for (String connection : new String[]{"close", "keep-alive", null}) {
            assertRefusedByUs(handshake().header("Connection", connection).send(path("echo/connection")), 400,
                    "needs a Connection header holding \"Upgrade\"");
        }
    }

    @Test
    void aWebSocketVersionOtherThan13Is400Naming13() throws Exception {
        for (String version : new String[]{"8", null}) {
            RawHandshake.Answer answer = handshake().header("Sec-WebSocket-Version", version).send(path("echo/versions"));
            assertRefusedByUs(answer, 400, "speaks WebSocket version 13 only");
            assertThat(answer.header("Sec-WebSocket-Version")).isEqualTo("13");
        }
    }

    /** Was 500 on Payara (Tyrus failed to parse the path); Tomcat and Undertow refuse the request line themselves. */
    @Test
    void aRawQuoteInThePathIs400NotAServerError() throws Exception {
        RawHandshake.Answer answer = handshake().send(path("echo/") + "a\"b");
        if (SERVER.equals("payara-micro")) {
            assertRefusedByUs(answer, 400, "raw U+0022");
        } else {
            assertThat(answer.status()).as("%s", answer).isEqualTo(400);
        }
    }

    /** Was 101 on every server, joining namespace "." or "..". */
    @Test
    void percentEncodedDotNamesAre400() throws Exception {
        for (String name : List.of("%2E", "%2E%2E", "%2e%2E")) {
            assertRefusedByUs(handshake().send(path("echo/" + name)), 400, "must not be only dots");
        }
    }

    /**
     * Raw "." and ".." reach us on Tomcat and WildFly. Payara's HTTP layer (Grizzly) sometimes fails
     * normalising such a path before any application code runs and answers an empty 200 instead.
     */
    @Test
    void dotNamesAsEncodeUriComponentLeavesThemAreNeverOpened() throws Exception {
        for (String name : List.of(".", "..")) {
            RawHandshake.Answer answer = handshake().send(path("echo/" + name));
            if (SERVER.equals("payara-micro") && answer.status() == 200) {
                assertThat(answer.body()).as("%s", answer).isEmpty();
            } else {
                assertRefusedByUs(answer, 400, "must not be only dots");
            }
        }
        RawHandshake.Answer threeDots = handshake().send(path("scuttlebutt/..."));
        if (SERVER.equals("payara-micro")) {
            assertThat(threeDots.statusLine()).as("Grizzly refuses it first").isEqualTo("HTTP/1.1 400 Invalid URI");
        } else {
            assertRefusedByUs(threeDots, 400, "must not be only dots");
        }
    }

    @Test
    void controlCharactersAre400() throws Exception {
        for (String name : List.of("a%01b", "%7F", "a%C2%85")) {
            assertRefusedByUs(handshake().send(path("relay/" + name)), 400, "must not contain control characters");
        }
        RawHandshake.Answer nul = handshake().send(path("echo/a%00b"));
        if (SERVER.equals("wildfly")) {
            assertRefusedByUs(nul, 400, "must not contain control characters");
        } else {
            assertThat(nul.status()).as("%s, refused by the server's HTTP layer", nul).isEqualTo(400);
        }
    }

    @Test
    void slashAndBackslashAre400() throws Exception {
        RawHandshake.Answer slash = handshake().send(path("echo/a%2Fb"));
        RawHandshake.Answer backslash = handshake().send(path("echo/a%5Cb"));
        switch (SERVER) {
            case "wildfly" -> {
                assertRefusedByUs(slash, 400, "must not contain \"/\" or \"\\\"");
                assertRefusedByUs(backslash, 400, "must not contain \"/\" or \"\\\"");
            }
            case "tomcat" -> {
                assertThat(slash.status()).as("%s, Tomcat refuses %%2F itself", slash).isEqualTo(400);
                assertThat(backslash.status()).as("%s, Tomcat refuses %%5C itself", backslash).isEqualTo(400);
            }
            default -> {
                assertRefusedByUs(slash, 400, "must not contain \"/\" or \"\\\"");
                assertThat(backslash.statusLine()).as("Grizzly refuses it first").isEqualTo("HTTP/1.1 400 Invalid URI");
            }
        }
    }

    @Test
    void aHandshakeToAPathThatIsNoEndpointIs404() throws Exception {
        for (String endpoint : List.of("echo", "nothing/x")) {
            assertThat(handshake().send(path(endpoint)).status()).as(endpoint).isEqualTo(404);
        }
    }

    @Test
    void namesWithDotsAmongOtherCharactersAreFine() throws Exception {
        for (String name : List.of("a.", ".a", "..a", "a...", "a.b")) {
            assertThat(handshake().send(path("echo/" + name)).status()).as(name).isEqualTo(101);
        }
    }

    /**
     * RFC 6455 section 5.1: a server must close the connection on an unmasked client frame. Undertow
     * (WildFly) does, with 1002; Tyrus (Payara, Tomcat) does not check the mask bit and hands the
     * message on, and no standard API lets an application see frames: documented per server.
     */
    @Test
    void anUnmaskedClientFrameIsClosedWith1002WhereTheContainerChecksIt() throws Exception {
        try (RawWebSocket socket = RawWebSocket.connect(endpoints.ws("echo", "unmasked"))) {
            socket.sendUnmaskedText("hello");
            if (SERVER.equals("wildfly")) {
                RawWebSocket.Ending ending = socket.drainUntilClose(Duration.ofSeconds(10));
                assertThat(ending.closeCode()).hasValue(1002);
            } else {
                RawWebSocket.Frame frame;
                do {
                    frame = socket.readFrame(Duration.ofSeconds(10));
                } while (frame.opcode() == RawWebSocket.Frame.PING);
                assertThat(frame.opcode()).as("Tyrus delivers it (documented)").isEqualTo(RawWebSocket.Frame.TEXT);
                assertThat(new String(frame.payload())).isEqualTo("hello");
            }
        }
    }
}
