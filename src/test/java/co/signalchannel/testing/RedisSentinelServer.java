package co.signalchannel.testing;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * A Redis under Sentinel of its own for the multi-node tests: a master, one replica and two
 * Sentinels watching them (quorum 1: either may find the master down; the two elect the one that
 * fails over), each a {@code redis-server} on
 * a free loopback port, keeping nothing on disk but Sentinel's configuration file, which it
 * rewrites as it learns. Every one binds 127.0.0.1 and announces 127.0.0.1, so that what Sentinel
 * tells a client to connect to is loopback too. Logs in {@code target/cluster-nodes/}.
 */
public final class RedisSentinelServer implements AutoCloseable {

    /** The name Sentinel knows the master by: the {@code #...} of the URI. */
    public static final String MASTER_NAME = "mymaster";
    private static final Duration READY_WAIT = Duration.ofSeconds(30);
    private static final Duration ASK_WAIT = Duration.ofSeconds(1);

    private static final int SENTINELS = 2;

    private RedisServer master;
    private RedisServer replica;
    private final List<RedisServer> sentinels = new ArrayList<>();

    private RedisSentinelServer() {
    }

    /**
     * Starts the master, then the replica, then the Sentinels; returns once the replica is in sync
     * and every Sentinel knows it (they fail over only to a replica they have seen) and the other
     * Sentinel (they elect the one that fails over).
     */
    public static RedisSentinelServer start() throws IOException, InterruptedException {
        RedisSentinelServer redis = new RedisSentinelServer();
        try {
            redis.master = RedisServer.startOnFreePort(List.of("--replica-announce-ip", "127.0.0.1"));
            redis.replica = RedisServer.startOnFreePort(List.of(
                    "--replicaof", "127.0.0.1", String.valueOf(redis.master.port()),
                    "--replica-announce-ip", "127.0.0.1"));
            redis.await(redis.replica, "INFO replication", info -> info.contains("master_link_status:up"));
            for (int i = 0; i < SENTINELS; i++) {
                redis.sentinels.add(RedisServer.startSentinelOnFreePort(List.of(
                        "bind 127.0.0.1",
                        "protected-mode no",
                        "sentinel resolve-hostnames no",
                        "sentinel announce-ip 127.0.0.1",
                        "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + redis.master.port() + " 1",
                        "sentinel down-after-milliseconds " + MASTER_NAME + " 1000",
                        "sentinel failover-timeout " + MASTER_NAME + " 5000")));
            }
            for (RedisServer sentinel : redis.sentinels) {
                redis.await(sentinel, "INFO sentinel", info -> info.contains("status=ok")
                        && info.contains("slaves=1") && info.contains("sentinels=" + SENTINELS));
            }
            return redis;
        } catch (IOException | InterruptedException | RuntimeException e) {
            redis.close();
            throw e;
        }
    }

    /**
     * {@code redis-sentinel://127.0.0.1:P1,127.0.0.1:P2/0#mymaster}, Lettuce's spelling of the
     * Sentinels' addresses, for the nodes' {@code signalchannel.cluster.redis}.
     */
    public URI uri() {
        return URI.create("redis-sentinel://" + sentinels.stream().map(sentinel -> "127.0.0.1:" + sentinel.port())
                .collect(Collectors.joining(",")) + "/0#" + MASTER_NAME);
    }

    /**
     * Kills the master with SIGKILL, as a lost machine would, and returns once a Sentinel has
     * promoted the replica and every Sentinel names it as the master.
     */
    public void killMasterAndAwaitFailover() throws IOException, InterruptedException {
        master.close();
        await(replica, "INFO replication", info -> info.contains("role:master"));
        String promoted = "address=127.0.0.1:" + replica.port() + ",";
        for (RedisServer sentinel : sentinels) {
            await(sentinel, "INFO sentinel", info -> info.contains(promoted) && info.contains("status=ok"));
        }
    }

    private void await(RedisServer server, String command, Predicate<String> ready) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + READY_WAIT.toNanos();
        String reply = server.ask(command, ASK_WAIT);
        while (reply == null || !ready.test(reply)) {
            if (System.nanoTime() > deadline) {
                throw new IOException("Redis on port " + server.port() + " did not answer " + command
                        + " as expected within " + READY_WAIT + "; last reply: " + reply + "; see " + server.log());
            }
            Thread.sleep(100);
            reply = server.ask(command, ASK_WAIT);
        }
    }

    /** Kills the Sentinels, the replica and the master, whichever still run. */
    @Override
    public void close() throws InterruptedException {
        List<RedisServer> servers = new ArrayList<>(sentinels);
        servers.add(replica);
        servers.add(master);
        for (RedisServer server : servers) {
            if (server != null) {
                server.close();
            }
        }
    }
}
