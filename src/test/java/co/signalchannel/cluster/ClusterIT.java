package co.signalchannel.cluster;

import co.signalchannel.scuttlebutt.TwinClient;
import co.signalchannel.testing.RedisServer;
import co.signalchannel.testing.ServerNode;
import co.signalchannel.testing.TestClient;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three nodes and their Redis (one standalone server), each node a Payara Micro of its own with the
 * packaged WAR: besides what {@link OneServerAcrossNodes} checks, the cluster survives Redis
 * pausing, Redis restarting, a node killed with SIGKILL and a node stopped normally. The faults
 * come last, in order, each leaving the cluster serving for the next.
 */
class ClusterIT extends OneServerAcrossNodes {

    /** Longer than the pause, so what was sent during it is held and delivered, not refused. */
    private static final long REDIS_TIMEOUT_MS = 10_000;

    private static RedisServer redis;
    private static ServerNode a;
    private static ServerNode b;
    private static ServerNode c;

    @BeforeAll
    static void startCluster() throws Exception {
        RedisServer.assumeInstalled();
        redis = RedisServer.startOnFreePort();
        List<ServerNode> nodes = ServerNode.startAll(List.of(spec("a"), spec("b"), spec("c")));
        a = nodes.get(0);
        b = nodes.get(1);
        c = nodes.get(2);
    }

    private static ServerNode.Spec spec(String id) {
        return new ServerNode.Spec("cluster-" + id, Map.of(
                "cluster.redis", redis.uri().toString(),
                "cluster.node-id", id,
                "cluster.node-timeout-ms", Long.toString(NODE_TIMEOUT_MS),
                "cluster.redis-timeout-ms", Long.toString(REDIS_TIMEOUT_MS)));
    }

    @Override
    ServerNode node(int index) {
        return List.of(a, b, c).get(index);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        for (ServerNode node : new ServerNode[] {a, b, c}) {
            if (node != null) {
                node.close();
            }
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    @Order(5)
    void whileRedisIsPausedNewSessionsAreRefusedAndWhatWasSentIsDeliveredAfter() throws Exception {
        try (TestClient x = TestClient.connect(a.ws("echo", "paused"));
             TestClient y = TestClient.connect(b.ws("echo", "paused"))) {
            a.endpoints().awaitSessions("echo", "paused", 1);
            b.endpoints().awaitSessions("echo", "paused", 1);
            redis.pause();
            try {
                x.send("sent while Redis was paused");
                Thread.sleep(3_000); // past the 2 s a ping may go unanswered before sessions are refused
                try (TestClient late = TestClient.connect(c.ws("echo", "paused"))) {
                    TestClient.Close refused = late.awaitClose();
                    assertThat(refused.code()).isEqualTo(1013);
                    assertThat(refused.reason()).contains("Redis");
                }
                Thread.sleep(2_000);
            } finally {
                redis.resume();
            }
            assertThat(y.nextText()).isEqualTo("sent while Redis was paused");
            assertThat(x.nextText()).isEqualTo("sent while Redis was paused");
            assertThat(x.isOpen()).isTrue();
        }
        assertEchoAcross(a, c, "after-pause");
    }

    @Test
    @Order(6)
    void whenRedisRestartsSessionsAreClosedWith1013AndTheClusterServesAgainAfter() throws Exception {
        TwinClient keeper = new TwinClient("keeper").connect(a.ws("scuttlebutt", "kept"));
        keeper.awaitSynced().set("survives", Json.createValue("the restart")).settle(Duration.ofMillis(500));
        try (TestClient x = TestClient.connect(a.ws("echo", "restarted"))) {
            a.endpoints().awaitSessions("echo", "restarted", 1);
            redis.stop();
            TestClient.Close lost = x.awaitClose();
            assertThat(lost.code()).isEqualTo(1013);
            try (TestClient refused = TestClient.connect(b.ws("echo", "restarted"))) {
                assertThat(refused.awaitClose().code()).as("a new session while Redis is down").isEqualTo(1013);
            }
            redis.start();
        }
        assertEchoAcross(a, b, "after-restart");
        assertEchoAcross(c, a, "after-restart-2");
        // Redis came back empty: node a's replica, reached again by its client, refills the log.
        try (keeper; TwinClient elsewhere = new TwinClient("elsewhere").connect(b.ws("scuttlebutt", "kept"))) {
            elsewhere.awaitSynced();
            keeper.connect(a.ws("scuttlebutt", "kept")).awaitSynced();
            elsewhere.await(twin -> twin.get("survives").isPresent());
        }
        for (ServerNode node : List.of(a, b, c)) {
            try (java.util.stream.Stream<String> log = java.nio.file.Files.lines(node.log())) {
                assertThat(log.filter(line -> line.contains("was lost")).toList())
                        .as(node + ": nodes that had not reported again since Redis came back are not lost").isEmpty();
            }
        }
    }

    @Test
    @Order(11)
    void aNodeStoppedNormallyClosesItsSessionsWith1001AndTellsTheirPartners() throws Exception {
        try (TestClient leaving = TestClient.connect(b.ws("echo", "leaving"));
             TestClient caller = TestClient.connect(a.ws("relay", "handover"));
             TestClient callee = TestClient.connect(b.ws("relay", "handover"))) {
            caller.send(header("caller", "callee"));
            callee.send(header("callee", "caller"));
            assertThat(caller.nextText()).isEqualTo(OPEN);
            assertThat(callee.nextText()).isEqualTo(OPEN);
            b.endpoints().awaitSessions("echo", "leaving", 1);

            b.stop();
            TestClient.Close goingAway = leaving.awaitClose();
            assertThat(goingAway.code()).isEqualTo(1001);
            assertThat(callee.awaitClose().code()).isEqualTo(1001);
            TestClient.Close partnerGone = caller.awaitClose();
            assertThat(partnerGone.code()).as("the partner on the stopped node hung up").isEqualTo(1000);
            assertThat(partnerGone.reason()).isEqualTo("relay partner closed");
        }
    }

}
