package co.signalchannel.cluster;

import co.signalchannel.testing.Deployments;
import co.signalchannel.testing.Endpoints;
import co.signalchannel.testing.RedisServer;
import co.signalchannel.testing.ServerNode;
import co.signalchannel.testing.TestClient;
import jakarta.json.JsonObject;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The server under test (WildFly or Tomcat, managed by Arquillian) and a Payara Micro node form one
 * cluster on one Redis: the WAR is deployed with {@code signalchannel.cluster.redis} as a context
 * parameter, its Redis client (Lettuce and Netty, bundled in the WAR) running inside that server;
 * echo, relay and {@code /v1/stats} behave as on one server across the two.
 *
 * <p>It runs in {@code -Pwildfly} and {@code -Ptomcat}, whose {@code it.excludedGroups} leave out
 * the other {@code cluster} tests but not those also tagged {@value #TAG}. In the default build it
 * is skipped: both nodes would be Payara Micro, which {@link ClusterIT} covers with three.
 * {@code -Dit.excludedGroups=cluster} leaves it out like every multi-node test.
 *
 * <p>Redis is started by {@link PrivateRedis}, registered ahead of Arquillian: before the
 * deployment, which must name it, and killed only after the undeployment, so that the application
 * never sees its Redis go away.
 */
@Tag(ServerNode.TAG)
@Tag(MixedClusterIT.TAG)
@EnabledIfSystemProperty(named = "arquillian.launch", matches = "wildfly|tomcat",
        disabledReason = "a Payara Micro node beside the WildFly or Tomcat of -Pwildfly and -Ptomcat;"
                + " in the default build both would be Payara Micro, as in ClusterIT")
@ExtendWith({MixedClusterIT.PrivateRedis.class, ArquillianExtension.class})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MixedClusterIT {

    /** The tag that lets the container profiles run this test of the {@code cluster} tests. */
    static final String TAG = "cluster-with-container";

    private static final String NAME = "mixed-cluster";
    /** Short, so that the nodes see each other within a few seconds; long enough not to lose a busy one. */
    private static final long NODE_TIMEOUT_MS = 6_000;
    private static final String OPEN = "{\"open\":true}";

    /** wildfly or tomcat: the id of the server under test in the cluster. */
    private static final String CONTAINER_ID = System.getProperty("arquillian.launch", "container");
    private static final String PAYARA_ID = "payara";

    private static RedisServer redis;
    private static ServerNode payara;

    private final Endpoints container = Endpoints.deployed(NAME);

    /** Starts the cluster's Redis before Arquillian deploys, and kills it after Arquillian undeploys. */
    static final class PrivateRedis implements BeforeAllCallback, AfterAllCallback {
        @Override
        public void beforeAll(ExtensionContext context) throws Exception {
            RedisServer.assumeInstalled();
            redis = RedisServer.startOnFreePort();
        }

        @Override
        public void afterAll(ExtensionContext context) throws Exception {
            if (redis != null) {
                redis.close();
                redis = null;
            }
        }
    }

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.watchingServerLog(Deployments.packaged(NAME, settings(CONTAINER_ID)));
    }

    private static Map<String, String> settings(String nodeId) {
        return Map.of(
                "cluster.redis", redis.uri().toString(),
                "cluster.node-id", nodeId,
                "cluster.node-timeout-ms", Long.toString(NODE_TIMEOUT_MS));
    }

    @BeforeAll
    static void startPayaraNode() throws Exception {
        payara = ServerNode.start("mixed-" + PAYARA_ID, settings(PAYARA_ID));
    }

    @AfterAll
    static void stopPayaraNode() throws Exception {
        if (payara != null) {
            payara.close();
            payara = null;
        }
    }

    @Test
    @Order(1)
    void statsOnEitherNodeListBothNodes() throws Exception {
        for (Endpoints node : List.of(container, payara.endpoints())) {
            JsonObject stats = awaitStats(node, view -> nodeIds(view).size() == 2);
            assertThat(nodeIds(stats)).containsExactlyInAnyOrder(CONTAINER_ID, PAYARA_ID);
        }
        assertThat(container.stats().getString("node")).isEqualTo(CONTAINER_ID);
        assertThat(payara.stats().getString("node")).isEqualTo(PAYARA_ID);
    }

    @Test
    @Order(2)
    void echoGivesASessionOnEachNodeBothSendersMessagesInOneOrder() throws Exception {
        String namespace = "mixed-echo";
        int messages = 20;
        try (TestClient here = TestClient.connect(container.ws("echo", namespace));
             TestClient there = TestClient.connect(payara.ws("echo", namespace))) {
            container.awaitSessions("echo", namespace, 1);
            payara.endpoints().awaitSessions("echo", namespace, 1);
            for (int m = 0; m < messages; m++) {
                here.send(CONTAINER_ID + ":" + m);
                there.send(PAYARA_ID + ":" + m);
            }
            List<String> seenHere = next(here, 2 * messages);
            List<String> seenThere = next(there, 2 * messages);
            here.expectNothingFor(Duration.ofMillis(300));
            there.expectNothingFor(Duration.ofMillis(300));

            assertThat(new HashSet<>(seenHere)).as("each message once").hasSize(2 * messages);
            for (String sender : List.of(CONTAINER_ID, PAYARA_ID)) {
                assertThat(seenHere.stream().filter(text -> text.startsWith(sender + ":")).toList())
                        .as(sender + "'s messages in the order sent")
                        .containsExactlyElementsOf(IntStream.range(0, messages).mapToObj(m -> sender + ":" + m).toList());
            }
            assertThat(seenThere).as("both sessions see one and the same order").isEqualTo(seenHere);
        }
    }

    @Test
    @Order(3)
    void relayPairsAPartyWaitingOnTheContainerWithOneOnPayaraAndClosesThePartner() throws Exception {
        assertRelayAcross(container, payara.endpoints(), "mixed-call");
    }

    @Test
    @Order(4)
    void relayPairsAPartyWaitingOnPayaraWithOneOnTheContainerAndClosesThePartner() throws Exception {
        assertRelayAcross(payara.endpoints(), container, "mixed-call-back");
    }

    @Test
    @Order(5)
    void theContainerLoggedNoProblem() throws Exception {
        List<String> problems = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(container.http("test/server-log")).build(),
                HttpResponse.BodyHandlers.ofLines()).body().toList();
        assertThat(problems).as("problems in " + CONTAINER_ID + "'s log while a cluster node").isEmpty();
    }

    /**
     * A party waiting on {@code first} (its header, a text and a binary message sent before its
     * partner came) is paired with one arriving on {@code second}; the same claim presented on
     * {@code second} meanwhile is refused; messages flow both ways in order; when the first hangs
     * up, the second is closed with 1000 "relay partner closed".
     */
    private static void assertRelayAcross(Endpoints first, Endpoints second, String namespace) throws Exception {
        try (TestClient caller = TestClient.connect(first.ws("relay", namespace))) {
            caller.send(header("caller", "callee")).send("offer").send(new byte[] {1, 2, 3});
            first.awaitSessions("relay", namespace, 1);
            Thread.sleep(500); // the claim is made once the header is read; nothing tells the client

            try (TestClient impostor = TestClient.connect(second.ws("relay", namespace))) {
                impostor.send(header("caller", "callee"));
                assertThat(impostor.awaitClose().code()).as("a claim held on the other node").isEqualTo(1008);
            }

            try (TestClient callee = TestClient.connect(second.ws("relay", namespace))) {
                callee.send(header("callee", "caller")).send("answer");
                assertThat(callee.nextText()).isEqualTo(OPEN);
                assertThat(callee.nextText()).as("sent before pairing, kept").isEqualTo("offer");
                assertThat(callee.nextBinary()).containsExactly(1, 2, 3);
                assertThat(caller.nextText()).isEqualTo(OPEN);
                assertThat(caller.nextText()).isEqualTo("answer");
                for (int i = 0; i < 20; i++) {
                    caller.send("candidate " + i);
                    callee.send(new byte[] {(byte) i});
                }
                for (int i = 0; i < 20; i++) {
                    assertThat(callee.nextText()).isEqualTo("candidate " + i);
                    assertThat(caller.nextBinary()).containsExactly(i);
                }

                caller.close();
                TestClient.Close hungUp = callee.awaitClose();
                assertThat(hungUp.code()).isEqualTo(1000);
                assertThat(hungUp.reason()).isEqualTo("relay partner closed");
            }
        }
    }

    private static String header(String local, String remote) {
        return "{\"local\":\"" + local + "\",\"remote\":\"" + remote + "\"}";
    }

    private static List<String> next(TestClient client, int count) throws InterruptedException {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            texts.add(client.nextText());
        }
        return texts;
    }

    private static List<String> nodeIds(JsonObject stats) {
        JsonObject cluster = stats.getJsonObject("cluster");
        return cluster == null ? List.of() : cluster.getJsonArray("nodes").stream()
                .map(node -> node.asJsonObject().getString("id")).toList();
    }

    /** The node's stats once {@code until} holds of them; fails after three node timeouts. */
    private static JsonObject awaitStats(Endpoints node, Predicate<JsonObject> until) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMillis(NODE_TIMEOUT_MS * 3).toNanos();
        JsonObject stats = node.stats();
        while (!until.test(stats) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            stats = node.stats();
        }
        assertThat(until.test(stats)).as("stats of " + node.http("") + ": " + stats).isTrue();
        return stats;
    }
}
