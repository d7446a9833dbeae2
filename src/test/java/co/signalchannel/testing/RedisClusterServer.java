package co.signalchannel.testing;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A Redis Cluster of its own for the multi-node tests: three {@code redis-server}s with cluster
 * mode on, masters of a third of the slots each (no replicas), on free loopback ports, their
 * cluster bus too, keeping nothing on disk. Made with {@code redis-cli --cluster create}, which
 * Debian's {@code redis-tools} (a dependency of {@code redis-server}) brings; logs in
 * {@code target/cluster-nodes/}.
 */
public final class RedisClusterServer implements AutoCloseable {

    private static final int MASTERS = 3;
    private static final Duration READY_WAIT = Duration.ofSeconds(30);

    private final List<RedisServer> masters;

    private RedisClusterServer(List<RedisServer> masters) {
        this.masters = masters;
    }

    /** Starts three nodes, joins them into one cluster and returns once every node says it is ok. */
    public static RedisClusterServer start() throws IOException, InterruptedException {
        List<RedisServer> masters = new ArrayList<>();
        RedisClusterServer cluster = new RedisClusterServer(masters);
        try {
            for (int i = 0; i < MASTERS; i++) {
                masters.add(RedisServer.startOnFreePort(List.of(
                        "--cluster-enabled", "yes",
                        // below the ephemeral range, as every harness port is (port + 10000 might be in it)
                        "--cluster-port", String.valueOf(LoopbackPorts.free()),
                        "--cluster-config-file", "nodes.conf",
                        "--cluster-node-timeout", "5000")));
            }
            cluster.create();
            cluster.awaitOk();
            return cluster;
        } catch (IOException | InterruptedException | RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    private void create() throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
        masters.forEach(master -> command.add("127.0.0.1:" + master.port()));
        command.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
        Process create = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(create.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (create.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed:\n" + output);
        }
    }

    private void awaitOk() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + READY_WAIT.toNanos();
        while (!masters.stream().allMatch(RedisClusterServer::isOk)) {
            if (System.nanoTime() > deadline) {
                throw new IOException("the Redis Cluster on " + ports() + " was not ok within " + READY_WAIT + ": "
                        + masters.stream().map(master -> master.ask("CLUSTER INFO", Duration.ofSeconds(1)))
                                .collect(Collectors.joining(" / ")));
            }
            Thread.sleep(100);
        }
    }

    private static boolean isOk(RedisServer master) {
        String info = master.ask("CLUSTER INFO", Duration.ofSeconds(1));
        return info != null && info.contains("cluster_state:ok") && info.contains("cluster_known_nodes:" + MASTERS);
    }

    private String ports() {
        return masters.stream().map(master -> String.valueOf(master.port())).collect(Collectors.joining(","));
    }

    /** {@code redis-cluster://127.0.0.1:P1,127.0.0.1:P2,...}, for the nodes' {@code signalchannel.cluster.redis}. */
    public URI uri() {
        return URI.create("redis-cluster://" + masters.stream().map(master -> "127.0.0.1:" + master.port())
                .collect(Collectors.joining(",")));
    }

    /** Kills every node. */
    @Override
    public void close() throws InterruptedException {
        for (RedisServer master : masters) {
            master.close();
        }
    }
}
