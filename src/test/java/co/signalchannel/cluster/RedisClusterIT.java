package co.signalchannel.cluster;

import co.signalchannel.testing.RedisClusterServer;
import co.signalchannel.testing.RedisServer;
import co.signalchannel.testing.ServerNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.util.List;
import java.util.Map;

/**
 * Three nodes on a Redis Cluster of three masters ({@code redis-cluster://}): what
 * {@link OneServerAcrossNodes} checks holds when every script's keys are spread over the masters
 * by their hash tags and the channels are shard channels, each on the master of its slot.
 */
class RedisClusterIT extends OneServerAcrossNodes {

    private static RedisClusterServer redis;
    private static ServerNode a;
    private static ServerNode b;
    private static ServerNode c;

    @BeforeAll
    static void startCluster() throws Exception {
        RedisServer.assumeInstalled();
        redis = RedisClusterServer.start();
        List<ServerNode> nodes = ServerNode.startAll(List.of(spec("a"), spec("b"), spec("c")));
        a = nodes.get(0);
        b = nodes.get(1);
        c = nodes.get(2);
    }

    private static ServerNode.Spec spec(String id) {
        return new ServerNode.Spec("redis-cluster-" + id, Map.of(
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
}
