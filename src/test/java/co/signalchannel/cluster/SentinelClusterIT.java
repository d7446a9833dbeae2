package co.signalchannel.cluster;

import co.signalchannel.testing.RedisSentinelServer;
import co.signalchannel.testing.RedisServer;
import co.signalchannel.testing.ServerNode;
import co.signalchannel.testing.TestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three nodes given two Sentinels' addresses, as Lettuce spells them
 * ({@code redis-sentinel://127.0.0.1:P1,127.0.0.1:P2/0#mymaster}), for a master with one replica:
 * what {@link OneServerAcrossNodes} checks holds on the master Sentinel names, and when that master
 * is killed and a Sentinel promotes the replica, the nodes close their sessions with 1013, find the
 * new master through Sentinel and serve again, with no restart.
 */
class SentinelClusterIT extends OneServerAcrossNodes {

    private static RedisSentinelServer redis;
    private static ServerNode a;
    private static ServerNode b;
    private static ServerNode c;

    @BeforeAll
    static void startCluster() throws Exception {
        RedisServer.assumeInstalled();
        redis = RedisSentinelServer.start();
        List<ServerNode> nodes = ServerNode.startAll(List.of(spec("a"), spec("b"), spec("c")));
        a = nodes.get(0);
        b = nodes.get(1);
        c = nodes.get(2);
    }

    private static ServerNode.Spec spec(String id) {
        return new ServerNode.Spec("sentinel-" + id, Map.of(
                "cluster.redis", redis.uri().toString(),
                "cluster.node-id", id,
                "cluster.node-timeout-ms", Long.toString(NODE_TIMEOUT_MS)));
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
    void whenSentinelFailsOverTheNodesClose1013ThenServeOnTheNewMasterWithoutRestart() throws Exception {
        try (TestClient x = TestClient.connect(a.ws("echo", "failover"));
             TestClient y = TestClient.connect(b.ws("echo", "failover"))) {
            a.endpoints().awaitSessions("echo", "failover", 1);
            b.endpoints().awaitSessions("echo", "failover", 1);

            redis.killMasterAndAwaitFailover();
            for (TestClient session : List.of(x, y)) {
                TestClient.Close lost = awaitClose(session, Duration.ofSeconds(20));
                assertThat(lost.code()).as("a session whose master was lost").isEqualTo(1013);
            }
        }
        assertEchoAcross(a, b, "after-failover");
        assertEchoAcross(c, a, "after-failover-2");
        assertRelayAcross(b, c, "after-failover");
        awaitStats(a, view -> view.getJsonObject("cluster").getJsonArray("nodes").size() == 3);
    }

    /** Two parties on two nodes pair and talk. */
    private static void assertRelayAcross(ServerNode first, ServerNode second, String namespace) throws Exception {
        try (TestClient caller = TestClient.connect(first.ws("relay", namespace));
             TestClient callee = TestClient.connect(second.ws("relay", namespace))) {
            caller.send(header("caller", "callee"));
            callee.send(header("callee", "caller"));
            assertThat(caller.nextText()).isEqualTo(OPEN);
            assertThat(callee.nextText()).isEqualTo(OPEN);
            caller.send("offer");
            assertThat(callee.nextText()).isEqualTo("offer");
        }
    }
}
