package co.signalchannel.testing;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The multi-node harness itself, so that a cluster test failing says something about the cluster:
 * a redis-server that pauses, stops and comes back on its port, and two nodes that boot side by
 * side, each with its own settings, serve sessions, and die alone when killed.
 */
@Tag(ServerNode.TAG)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServerNodeIT {

    private static final Duration SHORT = Duration.ofMillis(500);
    private static ServerNode a;
    private static ServerNode b;

    @BeforeAll
    static void startTwoNodes() throws Exception {
        long start = System.nanoTime();
        // a setting each node reports in /v1/stats, different per node, to show each got its own
        List<ServerNode> nodes = ServerNode.startAll(List.of(
                new ServerNode.Spec("harness-a", Map.of("scuttlebutt.total-max-bytes", "11111111")),
                new ServerNode.Spec("harness-b", Map.of("scuttlebutt.total-max-bytes", "22222222"))));
        a = nodes.get(0);
        b = nodes.get(1);
        System.out.printf("ServerNodeIT: %s and %s answered %d s after starting together%n",
                a, b, Duration.ofNanos(System.nanoTime() - start).toSeconds());
    }

    @AfterAll
    static void closeNodes() throws InterruptedException {
        for (ServerNode node : new ServerNode[]{a, b}) {
            if (node != null) {
                node.close();
            }
        }
    }

    @Test
    @Order(0)
    void redisAnswersPingUnlessPausedOrStoppedAndComesBackOnItsPort() throws Exception {
        RedisServer.assumeInstalled();
        RedisServer redis = RedisServer.startOnFreePort();
        try (redis) {
            assertThat(redis.port()).isNotEqualTo(6379);
            assertThat(redis.uri()).isEqualTo(URI.create("redis://127.0.0.1:" + redis.port()));
            assertThat(redis.answersPing(SHORT)).as("started").isTrue();

            try (Socket client = new Socket("127.0.0.1", redis.port())) {
                client.setSoTimeout((int) SHORT.toMillis());
                redis.pause();
                assertThat(redis.answersPing(SHORT)).as("paused").isFalse();
                send(client, "PING");
                assertThat(readLine(client)).as("answer while paused").isNull();
                redis.resume();
                assertThat(readLine(client)).as("what was sent while paused, answered on resume").isEqualTo("+PONG");
            }
            assertThat(redis.answersPing(SHORT)).as("resumed").isTrue();

            redis.stop();
            assertThat(redis.answersPing(SHORT)).as("stopped").isFalse();
            redis.start();
            assertThat(redis.answersPing(SHORT)).as("started again on port " + redis.port()).isTrue();

            redis.pause();
            redis.stop(); // a paused server must still stop when asked
            assertThat(redis.answersPing(SHORT)).as("stopped while paused").isFalse();
            redis.start();
        }
        assertThat(redis.answersPing(SHORT)).as("closed").isFalse();
    }

    private static void send(Socket socket, String command) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** The next RESP line, or null if none comes within the socket's timeout. */
    private static String readLine(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        StringBuilder line = new StringBuilder();
        try {
            for (int c = in.read(); c != '\r'; c = in.read()) {
                if (c < 0) {
                    throw new IOException("Redis closed the connection after " + line);
                }
                line.append((char) c);
            }
            in.read(); // '\n'
            return line.toString();
        } catch (SocketTimeoutException silent) {
            return null;
        }
    }

    @Test
    @Order(1)
    void eachNodeIsAServerOfItsOwnWithItsOwnSettings() throws Exception {
        assertThat(a.port()).isNotEqualTo(b.port())
                .isNotEqualTo(Integer.getInteger("it.port", 8080));
        assertThat(a.pid()).isNotEqualTo(b.pid());
        assertThat(a.stats().getJsonObject("scuttlebutt").getJsonNumber("maxBytes").longValue()).isEqualTo(11_111_111);
        assertThat(b.stats().getJsonObject("scuttlebutt").getJsonNumber("maxBytes").longValue()).isEqualTo(22_222_222);
        assertThat(a.ws("echo", "a b/é")).hasToString("ws://127.0.0.1:" + a.port() + "/v1/echo/a%20b%2F%C3%A9");
        assertThat(a.log()).content().contains("--nocluster");
    }

    @Test
    @Order(2)
    void eachNodeServesAnEchoSession() throws Exception {
        for (ServerNode node : List.of(a, b)) {
            try (TestClient client = TestClient.connect(node.ws("echo", "harness"))) {
                node.endpoints().awaitSessions("echo", "harness", 1);
                client.send("hello from " + node.name());
                assertThat(client.nextText()).isEqualTo("hello from " + node.name());
            }
        }
    }

    @Test
    @Order(3)
    void aKilledNodeStopsAnsweringWhileTheOtherGoesOn() throws Exception {
        try (TestClient onA = TestClient.connect(a.ws("echo", "harness"));
             TestClient onB = TestClient.connect(b.ws("echo", "harness"))) {
            a.endpoints().awaitSessions("echo", "harness", 1);
            b.endpoints().awaitSessions("echo", "harness", 1);
            a.kill();

            assertThat(a.isAlive()).isFalse();
            assertThat(refuses(a)).as(a + " refuses connections").isTrue();
            assertThat(onA.awaitClose().code()).as("no close frame from a killed node").isEqualTo(1006);

            b.endpoints().awaitSessions("echo", "harness", 1);
            onB.send("still here");
            assertThat(onB.nextText()).isEqualTo("still here");
        }
    }

    @Test
    @Order(4)
    void aStoppedNodeExits() throws Exception {
        try (TestClient onB = TestClient.connect(b.ws("echo", "harness"))) {
            b.endpoints().awaitSessions("echo", "harness", 1);
            b.stop();

            assertThat(b.isAlive()).isFalse();
            assertThat(refuses(b)).as(b + " refuses connections").isTrue();
            System.out.printf("ServerNodeIT: a session on %s stopped with SIGTERM was closed with %s%n",
                    b, onB.awaitClose());
        }
    }

    private static boolean refuses(ServerNode node) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", node.port()), 2_000);
            return false;
        } catch (ConnectException refused) {
            return true;
        }
    }
}
